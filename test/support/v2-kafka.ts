import { randomUUID } from 'node:crypto';
import { ITopicConfig } from 'kafkajs';
import { eventually } from './eventually';
import { connectedAdmin, memberAssignments } from './kafka';

/**
 * Admin operations test/support/kafka.ts does not offer: topics with their own configuration,
 * deleting and recreating a topic, and who in a group owns which partition.
 */

export type TopicSettings = Record<string, string>;

function configEntries(settings: TopicSettings): ITopicConfig['configEntries'] {
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

/** Like createTopics in kafka.ts, with topic-level settings (e.g. max.message.bytes) for each. */
export async function createConfiguredTopics({
  partitions = 1,
  source = {},
  deadLetter = {},
}: {
  partitions?: number;
  source?: TopicSettings;
  deadLetter?: TopicSettings;
} = {}): Promise<{ topic: string; dlq: string; group: string }> {
  const id = randomUUID().slice(0, 8);
  const topic = `test-pos-logs-${id}`;
  const dlq = `${topic}.dlq`;
  await (
    await connectedAdmin()
  ).createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: configEntries(source),
      },
      {
        topic: dlq,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: configEntries(deadLetter),
      },
    ],
  });
  return { topic, dlq, group: `test-group-${id}` };
}

/** Deletes a topic and waits until the broker no longer lists it. */
export async function deleteTopic(topic: string): Promise<void> {
  const a = await connectedAdmin();
  await a.deleteTopics({ topics: [topic], timeout: 30_000 });
  await eventually(async () => {
    if ((await a.listTopics()).includes(topic)) throw new Error(`${topic} still listed`);
  });
}

/** Creates a topic (again) and waits for its leader. */
export async function createTopic(topic: string, settings: TopicSettings = {}): Promise<void> {
  const a = await connectedAdmin();
  // Right after a deletion the broker may still be removing the old log: retry until accepted.
  await eventually(
    async () => {
      await a.createTopics({
        waitForLeaders: true,
        topics: [
          { topic, numPartitions: 1, replicationFactor: 1, configEntries: configEntries(settings) },
        ],
      });
      if (!(await a.listTopics()).includes(topic)) throw new Error(`${topic} not listed yet`);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** client id -> the partitions of `topic` that member owns, for a stable group. */
export async function groupAssignment(
  group: string,
  topic: string,
): Promise<Map<string, number[]>> {
  const owned = new Map<string, number[]>();
  for (const m of await memberAssignments(group, topic)) {
    owned.set(m.clientId, [...(owned.get(m.clientId) ?? []), ...m.partitions]);
  }
  return owned;
}
