import type { DataSource, EntityManager } from 'typeorm';
import type { JiraConfig } from '../config/configuration';
import { AlertStatus, ResolutionReason } from '../events/alert.enums';
import { AlertNotFoundError } from './alert-lifecycle.errors';
import { AlertLifecycleService } from './alert-lifecycle.service';
import { AutoResolveSweeper } from './auto-resolve.sweeper';
import { JiraAlreadyLinkedError, JiraDisabledError, JiraOutbox } from './jira-outbox';

jest.mock('./alert-queries.service', () => ({
  entityFromRow: (_: unknown, __: unknown, row: unknown) => row,
}));

const ID = '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11';

function jiraConfig(overrides: Partial<JiraConfig> = {}) {
  return {
    enabled: true,
    createFor: ['critical'],
    minOccurrences: 3,
    ...overrides,
  } as JiraConfig;
}

/** A run function answering from a script, recording every statement. */
function fakeRun(answers: unknown[] = []) {
  const calls: Array<{ sql: string; params: unknown[] }> = [];
  const run = jest.fn((sql: string, params: unknown[]) => {
    calls.push({ sql, params });
    return Promise.resolve(answers.shift() ?? []);
  });
  return { run, calls };
}

describe(JiraOutbox.name, () => {
  it('queues nothing, and runs nothing, while Jira is off', async () => {
    const sut = new JiraOutbox(jiraConfig({ enabled: false }));
    const { run } = fakeRun();
    await sut.enqueueAfterBatch(run, [ID], [{ id: ID }]);
    await sut.enqueueResolve(run, ID, 2, { actor: 'alice' });
    await sut.enqueueReopen(run, ID, 3, { actor: 'alice' });
    expect(run).not.toHaveBeenCalled();
    expect(sut.resolvedRowsCte('resolved', { reason: 'quiet', actor: 'system' })).toBe('');
    await expect(sut.enqueueCreate(run, ID)).rejects.toBeInstanceOf(JiraDisabledError);
  });

  it('queues a batch in one statement: creates by policy, reopens for alerts with a ticket', async () => {
    const sut = new JiraOutbox(jiraConfig());
    const { run, calls } = fakeRun();
    await sut.enqueueAfterBatch(run, [ID, 'b'], [{ id: 'b' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toMatch(/'create:' \|\| a\.id.*ON CONFLICT \(dedupe_key\) DO NOTHING/s);
    expect(calls[0].sql).toContain("'reopen:' || a.id || ':' || a.version");
    expect(calls[0].params).toEqual([
      [ID, 'b'],
      ['critical'],
      3,
      { reason: 'regression', actor: 'system' },
      ['b'],
    ]);
  });

  it('skips the statement for a batch that touched nothing', async () => {
    const { run } = fakeRun();
    await new JiraOutbox(jiraConfig()).enqueueAfterBatch(run, [], []);
    expect(run).not.toHaveBeenCalled();
  });

  it('keys a resolve by the version after it, so one resolve is queued once', async () => {
    const { run, calls } = fakeRun();
    await new JiraOutbox(jiraConfig()).enqueueResolve(run, ID, 7, {
      reason: 'manual',
      actor: 'alice',
      note: 'fixed the price list',
    });
    expect(calls[0].params).toEqual([
      ID,
      'resolve',
      7,
      { reason: 'manual', actor: 'alice', note: 'fixed the price list' },
    ]);
  });

  it('answers a ticket request: pending, 404 for no alert, 409 when linked', async () => {
    const sut = new JiraOutbox(jiraConfig());
    await expect(
      sut.enqueueCreate(fakeRun([[{ jira_issue_key: null, queued: true }]]).run, ID),
    ).resolves.toEqual({ status: 'pending' });
    await expect(sut.enqueueCreate(fakeRun([[]]).run, ID)).rejects.toBeInstanceOf(
      AlertNotFoundError,
    );
    await expect(
      sut.enqueueCreate(fakeRun([[{ jira_issue_key: 'OPS-1', queued: false }]]).run, ID),
    ).rejects.toEqual(new JiraAlreadyLinkedError(ID, 'OPS-1'));
  });

  it('puts failed rows back and says how many', async () => {
    const sut = new JiraOutbox(jiraConfig());
    await expect(sut.retryFailed(fakeRun([[{ retried: 2 }]]).run, ID)).resolves.toBe(2);
    await expect(sut.retryFailed(fakeRun([[]]).run, ID)).rejects.toBeInstanceOf(AlertNotFoundError);
  });
});

describe('Jira outbox injection', () => {
  // A union type (JiraOutbox | null) would be emitted as Object, and @Optional() would then
  // silently inject nothing.
  it.each([AlertLifecycleService, AutoResolveSweeper])('%p declares JiraOutbox by type', (type) => {
    const params = Reflect.getMetadata('design:paramtypes', type) as unknown[];
    expect(params).toContain(JiraOutbox);
  });
});

describe(`${AlertLifecycleService.name} and the Jira outbox`, () => {
  /** The UPDATE answers [rows, count]; everything runs on the transaction's manager. */
  function setup(answers: unknown[]) {
    const query = jest.fn((_sql: string, _params: unknown[] = []) =>
      Promise.resolve(answers.shift() ?? []),
    );
    const manager = { query } as unknown as EntityManager;
    const dataSource = {
      query,
      transaction: (work: (m: EntityManager) => Promise<unknown>) => work(manager),
    } as unknown as DataSource;
    const outbox = new JiraOutbox(jiraConfig());
    jest.spyOn(outbox, 'enqueueResolve');
    jest.spyOn(outbox, 'enqueueReopen');
    return { sut: new AlertLifecycleService(dataSource, outbox), outbox, query };
  }
  const resolvedRow = { id: ID, status: 'resolved', version: 5, from_status: 'open' };

  it('queues the resolve in the same transaction, with the version after it', async () => {
    const { sut, outbox, query } = setup([[[resolvedRow], 1], []]);
    await sut.resolve(ID, 'alice', { note: 'done' });
    expect(outbox.enqueueResolve).toHaveBeenCalledWith(expect.any(Function), ID, 5, {
      reason: ResolutionReason.MANUAL,
      actor: 'alice',
      note: 'done',
    });
    expect(query.mock.calls[2][0]).toContain('INSERT INTO jira_outbox');
  });

  it('queues a reopen too', async () => {
    const reopened = { id: ID, status: 'open', version: 6, from_status: 'resolved' };
    const { sut, outbox } = setup([[[reopened], 1], []]);
    await sut.reopen(ID, 'alice');
    expect(outbox.enqueueReopen).toHaveBeenCalledWith(expect.any(Function), ID, 6, {
      reason: undefined,
      actor: 'alice',
      note: undefined,
    });
  });

  it('sends nothing back to Jira for a change that came from Jira', async () => {
    const { sut, outbox } = setup([[[resolvedRow], 1], []]);
    await sut.resolve(ID, 'jira', { reason: ResolutionReason.JIRA });
    expect(outbox.enqueueResolve).not.toHaveBeenCalled();
  });

  it('with ifNotAlready, returns an alert already there without error or activity', async () => {
    const current = { id: ID, status: AlertStatus.RESOLVED, version: 5 };
    const { sut, query } = setup([[[], 0], [current]]);
    await expect(
      sut.resolve(ID, 'jira', { reason: ResolutionReason.JIRA, ifNotAlready: true }),
    ).resolves.toBe(current);
    expect(query.mock.calls.map(([sql]) => sql.trim().split(/\s/)[0])).toEqual([
      'UPDATE',
      'SELECT',
    ]);
  });
});

describe(`${AutoResolveSweeper.name} and the Jira outbox`, () => {
  const alerts = {
    autoResolveAfterMs: 60_000,
    maxNewPerMinute: 1,
    reopenWindowMs: 0,
    occurrenceRetentionDays: 1,
  };

  it('queues the resolves of its sweep in the same statement', async () => {
    const query = jest.fn().mockResolvedValue([{ resolved: 0 }]);
    const sut = new AutoResolveSweeper(
      { query } as unknown as DataSource,
      alerts,
      new JiraOutbox(jiraConfig()),
    );
    await sut.sweep();
    expect(query.mock.calls[0][0]).toMatch(
      /jira_queued AS \(\s*INSERT INTO jira_outbox.*'resolve:' \|\| r\.id \|\| ':' \|\| r\.version.*"reason":"quiet","actor":"system"/s,
    );
  });

  it('sweeps as before without Jira', async () => {
    const query = jest.fn().mockResolvedValue([{ resolved: 0 }]);
    await new AutoResolveSweeper({ query } as unknown as DataSource, alerts).sweep();
    expect(query.mock.calls[0][0]).not.toContain('jira_outbox');
  });
});
