import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ActivityAction, AlertStatus } from '../events/alert.enums';

/** An alert's history: one row per lifecycle or Jira change, oldest first by (at, id). */
@Entity({ name: 'alert_activity' })
export class AlertActivity {
  /** bigserial: node-postgres returns it as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'alert_id', type: 'uuid' }) alertId: string;
  /** Null for 'opened'. */
  @Column({ name: 'from_status', type: 'varchar', length: 16, nullable: true })
  fromStatus: AlertStatus | null;
  @Column({ name: 'to_status', type: 'varchar', length: 16 }) toStatus: AlertStatus;
  @Column({ type: 'varchar', length: 32 }) action: ActivityAction;
  /** A token name, SYSTEM_ACTOR or 'jira'. */
  @Column({ type: 'varchar', length: 128 }) actor: string;
  /** manual, quiet, jira, regression, ... */
  @Column({ type: 'varchar', length: 32, nullable: true }) reason: string | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
}
