import { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Message } from 'kafkajs';
import { register } from 'prom-client';
import { AppModule } from '../src/app.module';
import { AlertSeverity } from '../src/events/alert.enums';
import { LogEvent } from '../src/events/log-event.dto';
import { createKafkaTransport } from '../src/kafka/kafka-transport.factory';
import { AlertCandidate, Detector, DETECTORS, GroupField } from '../src/rules/detector';
import { detectors as realDetectors } from '../src/rules/rules.module';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { KAFKA_BROKERS, testDatabaseUrl } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';
import { occurrencesOf, sampleOf, uniqueServiceName } from './support/v2-observe';

const MAX_ATTEMPTS = 2;
const BUG = 'injected bug: confidence of a BUGGY candidate cannot be read';

/**
 * A rule whose candidate breaks the writer, not the rule: RulesService catches a detector that
 * throws, so the bug must surface later, inside AlertGroupsWriter, where it reads the candidate to
 * open the alert. Counts how often the write path got that far.
 */
class BuggyDetector implements Detector {
  readonly id = 'buggy';
  readonly groupBy: readonly GroupField[] = ['service'];
  writeAttempts = 0;

  detect(event: LogEvent): AlertCandidate | null {
    if (event.error_code !== 'BUGGY') return null;
    const count = () => this.writeAttempts++;
    return {
      issueCode: 'BUGGY',
      severity: AlertSeverity.WARNING,
      suggestedFix: 'Fix the bug',
      get confidence(): number {
        count();
        throw new TypeError(BUG);
      },
    };
  }
}

/** Nest's log calls, kept instead of printed. */
class CapturingLogger implements LoggerService {
  readonly lines: unknown[][] = [];
  log = (...args: unknown[]) => void this.lines.push(args);
  error = (...args: unknown[]) => void this.lines.push(args);
  warn = (...args: unknown[]) => void this.lines.push(args);
  debug = (...args: unknown[]) => void this.lines.push(args);
  verbose = (...args: unknown[]) => void this.lines.push(args);
  count = (msg: string) =>
    this.lines.filter(([first]) => (first as { msg?: unknown })?.msg === msg).length;
}

const savedEnv = { ...process.env };
let app: INestApplication | null = null;

afterAll(async () => {
  await app?.close();
  process.env = savedEnv;
  await closeClients();
});

it('dead-letters events a handler bug cannot store as PROCESSING_FAILED, after bounded retries, and keeps consuming', async () => {
  const svc = uniqueServiceName('bug');
  const { topic, dlq, group } = await createTopics(1);
  Object.assign(process.env, {
    KAFKA_BROKERS,
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    DATABASE_URL: testDatabaseUrl(),
    RUN_MIGRATIONS: 'false',
    PROCESSING_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    DATABASE_RETRY_MAX_MS: '50',
    LOG_LEVEL: 'warn',
  });
  const bug = new BuggyDetector();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(DETECTORS)
    .useValue([...realDetectors.map((D) => new D()), bug])
    .compile();
  const logger = new CapturingLogger();
  app = moduleRef.createNestApplication({ bufferLogs: false });
  app.useLogger(logger);
  const unrecoverable: Error[] = [];
  app.connectMicroservice(
    { strategy: createKafkaTransport(app, (err) => unrecoverable.push(err)) },
    { inheritAppConfig: false },
  );
  await app.init();
  await app.startAllMicroservices();

  // One send, one partition: the buggy events sit in the same batch as their good neighbours.
  const good: string[] = [];
  const buggy: string[] = [];
  const batch: Message[] = [];
  for (let i = 0; i < 24; i++) {
    const event = logEvent({
      service: svc,
      product_id: `prod-${i % 4}`,
      error_code: i % 8 === 3 ? 'BUGGY' : 'PRICE_MISSING',
    });
    (event.error_code === 'BUGGY' ? buggy : good).push(event.request_id);
    batch.push({ key: event.request_id, value: encode(event) });
  }
  await produce(topic, batch);

  const dead = await readAll(dlq, buggy.length, 60_000);
  expect(
    dead
      .map((m) => ({ key: m.key, reason: m.headers['dlq.reason'], error: m.headers['dlq.error'] }))
      .sort((a, b) => String(a.key).localeCompare(String(b.key))),
  ).toEqual([...buggy].sort().map((key) => ({ key, reason: 'PROCESSING_FAILED', error: BUG })));
  await eventually(async () => {
    const stored = await occurrencesOf(svc);
    expect(good.filter((id) => stored.get(id) !== 1)).toEqual([]);
  });
  // The failed transactions were rolled back: nothing of the buggy events was stored.
  const storedBuggy = [...(await occurrencesOf(svc)).keys()].filter((id) => buggy.includes(id));
  expect(storedBuggy).toEqual([]);

  // Consumption goes on behind them.
  const later = logEvent({ service: svc });
  await produce(topic, [{ key: later.request_id, value: encode(later) }]);
  const end = (await endOffsets(topic)).get(0)!;
  await eventually(async () => expect((await occurrencesOf(svc)).get(later.request_id)).toBe(1));
  await eventually(async () => expect((await committedOffsets(group, topic)).get(0)).toBe(end));

  // Bounded: each buggy event is tried MAX_ATTEMPTS times on its own, after at most MAX_ATTEMPTS
  // tries of each batch it came in (at most one batch per buggy event).
  const unknownFailures = sampleOf(await register.metrics(), 'stacklens_db_write_failures_total', {
    class: 'unknown',
  });
  expect({
    writeAttemptsInRange:
      bug.writeAttempts >= MAX_ATTEMPTS * buggy.length &&
      bug.writeAttempts <= 2 * MAX_ATTEMPTS * buggy.length,
    batchFailuresInRange:
      unknownFailures >= MAX_ATTEMPTS && unknownFailures <= MAX_ATTEMPTS * buggy.length,
    gaveUpLogged:
      logger.count('batch keeps failing with an unclassified error; retrying message by message') >=
      1,
    unrecoverable,
    handlerFailures: logger.count('batch handler failed; the batch will be fetched again'),
  }).toEqual({
    writeAttemptsInRange: true,
    batchFailuresInRange: true,
    gaveUpLogged: true,
    unrecoverable: [],
    handlerFailures: 0,
  });
  process.stderr.write(
    `figure: ${JSON.stringify({ buggy: buggy.length, writeAttempts: bug.writeAttempts, unknownFailures })}\n`,
  );
});
