import { closeDatabase } from './database';
import { closeKafka } from './kafka';

/** Closes the spec's own Kafka and Postgres clients; use as `afterAll(closeClients)`. */
export async function closeClients(): Promise<void> {
  await closeKafka();
  await closeDatabase();
}
