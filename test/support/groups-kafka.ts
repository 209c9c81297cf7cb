import { eventually } from './eventually';
import { committedOffsets, connectedAdmin, endOffsets, memberAssignments } from './kafka';

/**
 * Group operations the alert-group spec needs beyond test/support/kafka.ts: rewinding a group,
 * seeing who owns which partition, and knowing that a group has consumed everything written.
 */

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
  return (await memberAssignments(group, topic)).map((m) => m.partitions);
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
