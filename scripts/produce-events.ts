// Publishes realistic POS log events to the service's topic so a newcomer can watch alerts and
// dead letters appear. Usage: npm run produce -- [--count 100] [--malformed 5] [--quiet-ratio 0.3]
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { parseArgs } from 'node:util';
import { ALERT_CODES, encode, logEvent, QUIET_CODES } from '../test/factories/log-event.factory';

const MALFORMED: Array<() => string | null> = [
  () => '{"request_id": "truncated", "service": "pos-de',
  () => 'not json at all',
  () => JSON.stringify([{ error_code: 'PRICE_MISSING' }]),
  () => JSON.stringify({ ...logEvent(), timestamp: 'yesterday' }),
  () => {
    const { request_id: _dropped, ...rest } = logEvent();
    return JSON.stringify(rest);
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100' },
      malformed: { type: 'string', default: '5' },
      'quiet-ratio': { type: 'string', default: '0.3' },
      topic: { type: 'string', default: process.env.KAFKA_TOPIC ?? 'pos-logs' },
    },
  });
  const count = Number(values.count);
  const malformed = Number(values.malformed);
  const quietRatio = Number(values['quiet-ratio']);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

  const kafka = new Kafka({
    clientId: 'stacklens-demo-producer',
    brokers,
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const messages: Array<{ key: string; value: string | Buffer | null }> = [];
  const tally: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const pool = Math.random() < quietRatio ? QUIET_CODES : ALERT_CODES;
    const event = logEvent({ error_code: pool[i % pool.length] });
    tally[event.error_code] = (tally[event.error_code] ?? 0) + 1;
    messages.push({ key: event.request_id, value: encode(event) });
  }
  for (let i = 0; i < malformed; i++) {
    messages.push({ key: `malformed-${i}`, value: MALFORMED[i % MALFORMED.length]() });
  }
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.send({ topic: values.topic, acks: -1, messages: messages.slice(i, i + 1000) });
  }
  await producer.disconnect();
  console.log(`published ${count} events and ${malformed} malformed messages to ${values.topic}`);
  console.table(tally);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
