import { isLostRace } from './database-errors';
import { GroupCommit, MergedWriteError } from './group-commit';

/** A write whose calls are recorded and finished by hand. */
function controlledWrite() {
  const calls: Array<{ items: number[]; finish: (err?: Error) => void }> = [];
  let running = 0;
  let mostRunning = 0;
  const write = (items: number[]) =>
    new Promise<string>((resolve, reject) => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      calls.push({
        items,
        finish: (err) => {
          running--;
          if (err) reject(err);
          else resolve(`wrote ${items.join(',')}`);
        },
      });
    });
  return { calls, write, mostRunning: () => mostRunning };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe(GroupCommit.name, () => {
  it('writes a batch at once when nothing is in flight', async () => {
    const w = controlledWrite();
    const commit = new GroupCommit(w.write, 1);
    const result = commit.submit([1, 2]);
    expect(w.calls.map((c) => c.items)).toEqual([[1, 2]]);
    w.calls[0].finish();
    await expect(result).resolves.toBe('wrote 1,2');
  });

  it('merges the batches that arrive while a write is in flight into one write', async () => {
    const w = controlledWrite();
    const commit = new GroupCommit(w.write, 1);
    const first = commit.submit([1]);
    const second = commit.submit([2, 3]);
    const third = commit.submit([4]);
    expect(w.calls).toHaveLength(1);

    w.calls[0].finish();
    await first;
    await settled();
    expect(w.calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    w.calls[1].finish();
    await expect(second).resolves.toBe('wrote 2,3,4');
    await expect(third).resolves.toBe('wrote 2,3,4');
  });

  it('never runs more writes at once than allowed', async () => {
    const w = controlledWrite();
    const commit = new GroupCommit(w.write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => commit.submit([n]));
    expect(w.calls).toHaveLength(2);
    while (w.calls.some((c) => c.items.length > 0)) {
      const open = w.calls.shift()!;
      open.finish();
      await settled();
    }
    await Promise.all(all);
    expect(w.mostRunning()).toBe(2);
  });

  it('fails every batch of a merged write as a lost race, so each retries alone', async () => {
    const w = controlledWrite();
    const commit = new GroupCommit(w.write, 1);
    const lone = commit.submit([1]);
    const a = commit.submit([2]);
    const b = commit.submit([3]);
    const cause = Object.assign(new Error('value too long'), { code: '22001' });

    w.calls[0].finish(cause);
    await expect(lone).rejects.toBe(cause); // alone: its own error, classified as it is
    await settled();
    w.calls[1].finish(cause);
    for (const merged of [a, b]) {
      const err = await merged.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MergedWriteError);
      expect((err as MergedWriteError).cause).toBe(cause);
      expect(isLostRace(err)).toBe(true);
    }
  });
});
