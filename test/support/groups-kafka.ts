import { Admin, AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { eventually } from './eventually';
import { KAFKA_BROKERS } from './infra';
import { committedOffsets, endOffsets } from './kafka';

/**
 * Group operations the alert-group spec needs beyond test/support/kafka.ts: rewinding a group,
 * seeing who owns which partition, and knowing that a group has consumed everything written.
 */
const kafka = new Kafka({
  clientId: 'stacklens-tests-groups',
  brokers: KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
});

let admin: Admin | null = null;

async function connectedAdmin(): Promise<Admin> {
  if (!admin) {
    admin = kafka.admin();
    await admin.connect();
  }
  return admin;
}

/** Rewinds an idle group to the start of the topic, as an operator replaying a topic would. */
export async function rewindGroup(group: string, topic: string): Promise<void> {
  const a = await connectedAdmin();
  // The broker refuses while the stopped member is still being removed from the group.
  await eventually(() => a.resetOffsets({ groupId: group, topic, earliest: true }), {
    timeoutMs: 30_000,
    intervalMs: 500,
  });
}

/** For each member of the group, the partitions of `topic` it owns. */
export async function partitionsPerMember(group: string, topic: string): Promise<number[][]> {
  const { groups } = await (await connectedAdmin()).describeGroups([group]);
  return (groups[0]?.members ?? []).map((member) => {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return [...(decoded?.assignment[topic] ?? [])].sort((x, y) => x - y);
  });
}

/** Messages written to the topic so far, over all partitions. */
export async function messagesIn(topic: string): Promise<number> {
  return [...(await endOffsets(topic)).values()].reduce((sum, n) => sum + Number(n), 0);
}

/**
 * Waits until the group has committed every partition up to its end offset: all that was written
 * before this call has been handled. Lets a spec assert "nothing more happened" without guessing
 * how long to wait.
 */
export async function waitCaughtUp(group: string, topic: string, timeoutMs = 60_000) {
  const end = await endOffsets(topic);
  await eventually(
    async () => {
      const committed = await committedOffsets(group, topic);
      // A partition nothing was written to has nothing committed (-1) and nothing to catch up on.
      const behind = [...end].filter(([p, high]) => high > 0n && (committed.get(p) ?? -1n) < high);
      if (behind.length > 0)
        throw new Error(
          `behind on ${behind.map(([p, h]) => `p${p}: ${committed.get(p) ?? -1}/${h}`).join(', ')}`,
        );
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export async function closeGroupsKafka(): Promise<void> {
  await admin?.disconnect();
  admin = null;
}
