import {
  benchEvent,
  createDatabase,
  createTopic,
  dropDatabase,
  prefill,
  STORM_FINGERPRINTS,
  stormEvent,
} from './bench-env';
import { checkStorm, runService, ServiceRun, StormCheck } from './service-runs';

type Step = (s: string) => void;

/** A run on its own topic and database, so its alerts and dead letters stay apart from D's. */
async function withOwnTopic<T>(
  id: string,
  suffix: string,
  partitions: number,
  fn: (databaseUrl: string, topic: string) => Promise<T>,
): Promise<T> {
  const dbName = `stacklens_bench_${id}_${suffix}`;
  const topic = `bench-pos-logs-${id}-${suffix}`;
  const db = await createDatabase(dbName);
  try {
    await createTopic(topic, partitions);
    await createTopic(`${topic}.dlq`, 1);
    return await fn(db, topic);
  } finally {
    await dropDatabase(dbName);
  }
}

/**
 * Storm: one incident flooding the service. Every event alert-worthy and in one of
 * STORM_FINGERPRINTS problems; the service from a cold start until every offset is committed,
 * then a check that the events became exactly those alerts.
 */
export function runStorm(
  id: string,
  partitions: number,
  events: number,
  step: Step,
): Promise<{ run: ServiceRun; check: StormCheck }> {
  return withOwnTopic(id, 'storm', partitions, async (db, topic) => {
    step(`storm: prefilling ${events} events (${STORM_FINGERPRINTS} fingerprints) into ${topic}`);
    const sent = await prefill(topic, events, stormEvent, false);
    step('storm: this service, cold start to all committed');
    const run = await runService(db, topic, sent);
    return { run, check: await checkStorm(db, STORM_FINGERPRINTS, sent.alerts) };
  });
}

/**
 * Every valid event alert-worthy, with the usual spread of fingerprints (unlike the storm) and
 * the usual 1% malformed: the run the "rows/s against B" target is about.
 */
export function runFullAlert(
  id: string,
  partitions: number,
  events: number,
  step: Step,
): Promise<ServiceRun> {
  return withOwnTopic(id, 'full', partitions, async (db, topic) => {
    step(`100%: prefilling ${events} events (all alert-worthy, 1% malformed) into ${topic}`);
    const sent = await prefill(topic, events, (i) => benchEvent(i, 1), true);
    step('100%: this service, cold start to all committed');
    return runService(db, topic, sent);
  });
}
