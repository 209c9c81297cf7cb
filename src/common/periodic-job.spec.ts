import { PeriodicJob } from './periodic-job';

describe(PeriodicJob.name, () => {
  afterEach(() => jest.useRealTimers());

  /** Work whose runs the test ends one by one. */
  function gatedWork() {
    const ends: Array<(err?: Error) => void> = [];
    const work = jest.fn(
      () => new Promise<void>((resolve, reject) => ends.push((e) => (e ? reject(e) : resolve()))),
    );
    return { work, end: (err?: Error) => ends.shift()!(err) };
  }

  it('never runs twice at once: a tick during a run joins it', async () => {
    const { work, end } = gatedWork();
    const job = new PeriodicJob(work, jest.fn());
    const first = job.run();
    const second = job.run();
    await Promise.resolve();
    expect(work).toHaveBeenCalledTimes(1);
    end();
    await Promise.all([first, second]);
    void job.run();
    await Promise.resolve();
    expect(work).toHaveBeenCalledTimes(2);
    end();
  });

  it('hands a failed run to onError, and the next run tries again', async () => {
    const onError = jest.fn();
    const work = jest
      .fn<Promise<void>, []>()
      .mockRejectedValueOnce(new Error('database down'))
      .mockResolvedValue(undefined);
    const job = new PeriodicJob(work, onError);
    await expect(job.run()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledWith(new Error('database down'));
    await job.run();
    expect(work).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('treats work that throws before its first await as a failed run', async () => {
    const onError = jest.fn();
    const job = new PeriodicJob(() => {
      throw new Error('bug');
    }, onError);
    await job.run();
    expect(onError).toHaveBeenCalledWith(new Error('bug'));
  });

  it('runs on its interval until stopped, and stop() waits for the run in hand', async () => {
    jest.useFakeTimers();
    const { work, end } = gatedWork();
    const job = new PeriodicJob(work, jest.fn());
    job.start(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(work).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    end();
    await stopping;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(work).toHaveBeenCalledTimes(1);
  });
});
