import { Test, TestingModule } from '@nestjs/testing';
import { AlertGroupsWriter } from '../../src/alerts/alert-groups.writer';
import { AlertsModule } from '../../src/alerts/alerts.module';
import { OccurrenceInput } from '../../src/alerts/occurrence-input';
import { AppConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { LogEvent } from '../../src/events/log-event.dto';
import { MessageRef } from '../../src/events/message-ref';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { RulesModule } from '../../src/rules/rules.module';
import { RulesService } from '../../src/rules/rules.service';
import { encode } from '../factories/log-event.factory';
import { closeDatabase } from './database';
import { testDatabaseUrl } from './infra';

export interface WriterModule {
  moduleRef: TestingModule;
  /** Not exported by AlertsModule: AlertsService's metrics and StorePolicy's retries stay out. */
  writer: AlertGroupsWriter;
  rules: RulesService;
  /** One alert-worthy event as the consume path hands it to the writer. */
  input(event: LogEvent, ref: MessageRef): OccurrenceInput;
  close(): Promise<void>;
}

/**
 * The batch writer against the test database, called in-process. Compiled, not initialised: no
 * sweeper or partition maintenance runs beside the writes. Jira is off (its outbox statement is
 * not what these specs are about). `env` is read when the modules compile, as the service reads
 * its environment when it starts; close() puts the environment back.
 */
export async function writerModule(env: Record<string, string> = {}): Promise<WriterModule> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: testDatabaseUrl(), RUN_MIGRATIONS: 'false', ...env });
  delete process.env.JIRA_BASE_URL;
  const moduleRef = await Test.createTestingModule({
    imports: [AppConfigModule, DatabaseModule, MetricsModule, RulesModule, AlertsModule],
  }).compile();
  const rules = moduleRef.get(RulesService, { strict: false });
  return {
    moduleRef,
    writer: moduleRef.get(AlertGroupsWriter, { strict: false }),
    rules,
    input: (event, ref) => {
      const raw = encode(event);
      return { event, ref, raw, receivedBytes: raw.length, match: rules.evaluate(event, ref)! };
    },
    close: async () => {
      await moduleRef.close();
      await closeDatabase();
      process.env = saved;
    },
  };
}
