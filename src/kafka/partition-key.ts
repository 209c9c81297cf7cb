/** One topic-partition as a map key. */
export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** Drops from `byPartition` every topic-partition outside a member's assignment (after a join). */
export function retainAssignedKeys(
  byPartition: Map<string, unknown>,
  assignment: Record<string, number[]>,
): void {
  const owned = new Set(
    Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((p) => partitionKey(topic, p)),
    ),
  );
  for (const k of byPartition.keys()) if (!owned.has(k)) byPartition.delete(k);
}
