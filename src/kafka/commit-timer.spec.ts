import { Histogram } from 'prom-client';
import { CommitTimer } from './commit-timer';

const histogram = () =>
  new Histogram({ name: 'commit_seconds', help: 'h', labelNames: ['outcome'], registers: [] });

/** Observations per outcome label. */
async function counts(h: Histogram<string>): Promise<Record<string, number>> {
  const { values } = await h.get();
  const out: Record<string, number> = {};
  for (const v of values) {
    if (v.metricName === 'commit_seconds_count') out[String(v.labels.outcome)] = v.value;
  }
  return out;
}

describe(CommitTimer.name, () => {
  it('records a commit that resolves as ok, and passes its result on', async () => {
    const h = histogram();
    await expect(new CommitTimer(h).time(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(await counts(h)).toEqual({ ok: 1 });
  });

  it('records a commit that throws as failed, and rethrows it', async () => {
    const h = histogram();
    const timer = new CommitTimer(h);
    await expect(timer.time(() => Promise.reject(new Error('broker gone')))).rejects.toThrow(
      'broker gone',
    );
    await timer.time(() => Promise.resolve());
    expect(await counts(h)).toEqual({ failed: 1, ok: 1 });
  });

  it('observes a request only once it settles', async () => {
    const h = histogram();
    let finish!: () => void;
    const pending = new CommitTimer(h).time(() => new Promise<void>((r) => (finish = r)));
    expect(await counts(h)).toEqual({});
    finish();
    await pending;
    expect(await counts(h)).toEqual({ ok: 1 });
  });
});
