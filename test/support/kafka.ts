import { randomUUID } from 'node:crypto';
import {
  Admin,
  AssignerProtocol,
  IHeaders,
  Kafka,
  KafkaMessage,
  logLevel,
  Message,
  Partitioners,
  Producer,
} from 'kafkajs';
import { KAFKA_BROKERS } from './infra';

const kafka = new Kafka({
  clientId: 'stacklens-tests',
  brokers: KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
});

let admin: Admin | null = null;
let producer: Producer | null = null;

/** The run's one admin client, shared by every helper file (closed by closeKafka). */
export async function connectedAdmin(): Promise<Admin> {
  if (!admin) {
    admin = kafka.admin();
    await admin.connect();
  }
  return admin;
}

/** A fresh source topic and dead-letter topic, so specs never see each other's messages. */
export async function createTopics(
  partitions = 1,
): Promise<{ topic: string; dlq: string; group: string }> {
  const id = randomUUID().slice(0, 8);
  const topic = `test-pos-logs-${id}`;
  const dlq = `${topic}.dlq`;
  await (
    await connectedAdmin()
  ).createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: partitions, replicationFactor: 1 },
      { topic: dlq, numPartitions: 1, replicationFactor: 1 },
    ],
  });
  return { topic, dlq, group: `test-group-${id}` };
}

export async function produce(topic: string, messages: Message[]): Promise<void> {
  if (!producer) {
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }
  await producer.send({ topic, acks: -1, messages });
}

/** The group's committed offset per partition (-1 when nothing is committed). */
export async function committedOffsets(group: string, topic: string): Promise<Map<number, bigint>> {
  const [entry] = await (await connectedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(entry.partitions.map((p) => [p.partition, BigInt(p.offset)]));
}

/** The next offset to be written, per partition. */
export async function endOffsets(topic: string): Promise<Map<number, bigint>> {
  const offsets = await (await connectedAdmin()).fetchTopicOffsets(topic);
  return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
}

export interface ReadMessage {
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads a whole topic from the beginning with a throwaway group (for dead-letter checks). */
export async function readAll(
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const seen: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push(toRead(partition, message));
        if (seen.length >= expected) done();
      },
    });
    await Promise.race([
      enough,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`${topic}: ${seen.length}/${expected} messages`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

function toRead(partition: number, message: KafkaMessage): ReadMessage {
  return {
    partition,
    offset: BigInt(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value,
    headers: headersToStrings(message.headers ?? {}),
  };
}

function headersToStrings(headers: IHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(',') : (v?.toString() ?? ''),
    ]),
  );
}

export interface MemberAssignment {
  memberId: string;
  clientId: string;
  /** Partitions of the topic this member owns, sorted. */
  partitions: number[];
}

/** Who in a group owns which partitions of `topic`, from the group's current assignment. */
export async function memberAssignments(group: string, topic: string): Promise<MemberAssignment[]> {
  const { groups } = await (await connectedAdmin()).describeGroups([group]);
  return (groups[0]?.members ?? []).map((member) => {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return {
      memberId: member.memberId,
      clientId: member.clientId,
      partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b),
    };
  });
}

export async function closeKafka(): Promise<void> {
  await producer?.disconnect();
  await admin?.disconnect();
  producer = null;
  admin = null;
}
