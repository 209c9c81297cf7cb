import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PeriodicJob } from '../common/periodic-job';
import { alertsConfig, AlertsConfig } from '../config/configuration';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Partitions exist this many days ahead, so a missed round or two never sends today to DEFAULT. */
const DAYS_AHEAD = 2;
/** Any constant every instance shares; advisory locks are per database. */
export const PARTITIONS_LOCK = 1_764_400_001;
const PARTITION_NAME = /^alert_occurrences_p(\d{4})(\d{2})(\d{2})$/;

export interface PartitionsRound {
  created: string[];
  dropped: string[];
  /** Rows moved out of the DEFAULT partition into partitions created this round. */
  moved: number;
  /** Rows of the DEFAULT partition older than the retention, deleted this round. */
  purged: number;
}

const isoDay = (dayMs: number): string => new Date(dayMs).toISOString().slice(0, 10);
const partitionName = (dayMs: number): string =>
  `alert_occurrences_p${isoDay(dayMs).replace(/-/g, '')}`;

/** The UTC day a partition covers, from its name; null for tables this class did not name. */
function partitionDay(name: string): number | null {
  const m = PARTITION_NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/**
 * Keeps alert_occurrences' daily partitions: from the retention horizon to DAYS_AHEAD days ahead
 * (UTC), dropping whole partitions once they age out, never deleting rows. Runs at bootstrap and
 * hourly on every instance; an advisory lock lets one do the work while the others skip.
 */
@Injectable()
export class OccurrencePartitions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OccurrencePartitions.name);
  private readonly job = new PeriodicJob(
    () => this.ensurePartitions(),
    (err: unknown) => this.logger.error({ msg: 'occurrence partition maintenance failed', err }),
  );

  constructor(
    private readonly dataSource: DataSource,
    @Inject(alertsConfig.KEY) private readonly config: AlertsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.job.run();
    this.job.start(HOUR_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  async ensurePartitions(now = new Date()): Promise<PartitionsRound> {
    const round: PartitionsRound = { created: [], dropped: [], moved: 0, purged: 0 };
    const retentionMs = this.config.occurrenceRetentionDays * DAY_MS;
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    const bounds = new Map<string, [string, string]>();

    await this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<Array<{ locked: boolean }>>(
        `SELECT pg_try_advisory_xact_lock($1) AS locked`,
        [PARTITIONS_LOCK],
      );
      if (!locked) return;
      // Events from before the first day kept have no partition and land in DEFAULT (a terminal's
      // clock, a replay of old data): they age out here, as whole days do below.
      const [, purged] = await tx.query<[unknown[], number]>(
        `DELETE FROM alert_occurrences_default WHERE event_time < $1::timestamptz`,
        [new Date(today - retentionMs).toISOString()],
      );
      round.purged = purged;
      const existing = await this.partitions(tx);
      const missing: number[] = [];
      for (let day = today - retentionMs; day <= today + DAYS_AHEAD * DAY_MS; day += DAY_MS) {
        if (!existing.includes(partitionName(day))) missing.push(day);
      }
      const expired = existing.filter((name) => {
        const day = partitionDay(name);
        return day !== null && day + DAY_MS < now.getTime() - retentionMs;
      });
      if (missing.length === 0 && expired.length === 0) return;

      // Writers lock the parent, then a partition. Taking the parent first, with the strongest
      // lock any step below needs (DROP of a partition), keeps our order theirs: an insert waits
      // for this round instead of deadlocking with it. A long holder makes us give up until the
      // next round rather than queue every writer behind us.
      await tx.query(`SET LOCAL lock_timeout = '5s'`);
      await tx.query(`LOCK TABLE alert_occurrences IN ACCESS EXCLUSIVE MODE`);
      for (const day of missing) {
        const name = partitionName(day);
        const range: [string, string] = [
          `${isoDay(day)} 00:00+00`,
          `${isoDay(day + DAY_MS)} 00:00+00`,
        ];
        round.moved += await this.createPartition(tx, name, range);
        round.created.push(name);
        bounds.set(name, range);
      }
      for (const name of expired) {
        await tx.query(`DROP TABLE "${name}"`);
        round.dropped.push(name);
      }
    });

    // After the commit, so a rolled-back round is not logged as done.
    for (const name of round.created) {
      const [from, to] = bounds.get(name)!;
      this.logger.log({ msg: 'occurrence partition created', partition: name, from, to });
    }
    for (const name of round.dropped) {
      this.logger.log({ msg: 'occurrence partition dropped', partition: name });
    }
    if (round.purged > 0) {
      this.logger.log({
        msg: 'occurrences older than the retention deleted from the default partition',
        purged: round.purged,
      });
    }
    if (round.moved > 0) {
      this.logger.log({
        msg: 'occurrences moved out of the default partition',
        moved: round.moved,
      });
    }
    return round;
  }

  private async partitions(tx: EntityManager): Promise<string[]> {
    const rows = await tx.query<Array<{ name: string }>>(
      `SELECT c.relname AS name
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'alert_occurrences'::regclass`,
    );
    return rows.map((r) => r.name);
  }

  /**
   * Built standalone and attached, not CREATE ... PARTITION OF: Postgres refuses a partition
   * whose range already has rows in DEFAULT, so those rows move first. Returns how many did.
   */
  private async createPartition(
    tx: EntityManager,
    name: string,
    [from, to]: [string, string],
  ): Promise<number> {
    await tx.query(
      `CREATE TABLE "${name}" (LIKE alert_occurrences INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    const [{ moved }] = await tx.query<Array<{ moved: number }>>(
      `WITH gone AS (
         DELETE FROM alert_occurrences_default
          WHERE event_time >= $1::timestamptz AND event_time < $2::timestamptz
         RETURNING *
       ), kept AS (
         INSERT INTO "${name}" SELECT * FROM gone RETURNING 1
       )
       SELECT count(*)::int AS moved FROM kept`,
      [from, to],
    );
    await tx.query(
      `ALTER TABLE alert_occurrences ATTACH PARTITION "${name}"
         FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
    return moved;
  }
}
