import { DurableOffset, OffsetCommits } from './offset-commits';

describe(OffsetCommits.name, () => {
  /** A commit sender whose requests the test settles one by one. */
  function broker() {
    const requests: DurableOffset[][] = [];
    const answers: Array<() => void> = [];
    const send = jest.fn(
      (offsets: DurableOffset[]) =>
        new Promise<void>((resolve) => {
          requests.push(offsets);
          answers.push(resolve);
        }),
    );
    const answer = async () => {
      answers.shift()!();
      await turn();
    };
    return { send, requests, answer };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const at = (partition: number, offset: string) => ({ topic: 'pos-logs', partition, offset });

  it('sends the partitions that become durable in one turn as one request', async () => {
    const b = broker();
    const sut = new OffsetCommits(b.send, () => 1);
    const done = [0, 1, 2].map((p) => sut.commit(at(p, '10'), 1));
    await turn();
    expect(b.requests).toEqual([[at(0, '10'), at(1, '10'), at(2, '10')]]);
    await b.answer();
    await Promise.all(done);
  });

  it('keeps one request in flight; what becomes durable meanwhile goes in the next, latest offset per partition', async () => {
    const b = broker();
    const sut = new OffsetCommits(b.send, () => 1);
    let firstDone = false;
    void sut.commit(at(0, '10'), 1).then(() => (firstDone = true));
    await turn();
    const later = [sut.commit(at(0, '20'), 1), sut.commit(at(1, '5'), 1)];
    const latest = sut.commit(at(0, '30'), 1);
    await turn();
    expect(b.requests).toHaveLength(1);
    expect(firstDone).toBe(false);

    await b.answer();
    expect(firstDone).toBe(true);
    expect(b.requests[1]).toEqual([at(0, '30'), at(1, '5')]);
    await b.answer();
    await Promise.all([...later, latest]);
    expect(b.send).toHaveBeenCalledTimes(2);
  });

  it('does not send an offset fetched before a rebalance, and still settles its caller', async () => {
    const b = broker();
    let generation = 1;
    const sut = new OffsetCommits(b.send, () => generation);
    const stale = sut.commit(at(0, '10'), 1);
    generation = 2;
    const fresh = sut.commit(at(1, '4'), 2);
    await turn();
    expect(b.requests).toEqual([[at(1, '4')]]);
    await b.answer();
    await Promise.all([stale, fresh]);

    const alone = sut.commit(at(3, '1'), 1);
    await alone;
    expect(b.send).toHaveBeenCalledTimes(1);
  });

  it('settles its callers when a send fails, and sends the next commit (no retry loop)', async () => {
    const send = jest
      .fn<Promise<void>, [DurableOffset[]]>()
      .mockRejectedValueOnce(new Error('coordinator moved'))
      .mockResolvedValue(undefined);
    const sut = new OffsetCommits(send, () => 1);
    await sut.commit(at(0, '10'), 1);
    await sut.commit(at(0, '11'), 1);
    expect(send.mock.calls).toEqual([[[at(0, '10')]], [[at(0, '11')]]]);
  });
});
