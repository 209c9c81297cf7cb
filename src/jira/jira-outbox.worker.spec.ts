import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { JiraConfig } from '../config/configuration';
import { BREAKER_OPEN, JiraBreaker } from './jira-breaker';
import type { JiraClient, JiraResult, JiraTransition } from './jira.client';
import {
  ALERTS_SQL,
  CLAIM_SQL,
  DONE_SQL,
  FAIL_SQL,
  LINK_SQL,
  RELEASE_SQL,
  RESCHEDULE_SQL,
} from './jira-outbox.sql';
import { JiraOutboxWorker, retryDelayMs } from './jira-outbox.worker';
import { JiraStatuses } from './jira-statuses';
import { JiraSync, OutboxRow } from './jira-sync';

const ALERT_ID = '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11';
const FINGERPRINT = 'ab'.repeat(32);

const config = {
  enabled: true,
  baseUrl: 'http://jira.test',
  api: 'cloud',
  credentials: { kind: 'basic', email: 'bot@example.com', apiToken: 'secret' },
  projectKey: 'OPS',
  issueType: 'Bug',
  createFor: ['critical'],
  minOccurrences: 1,
  resolveTransition: 'Done',
  reopenTransition: 'Reopen',
  updateIntervalMs: 3_600_000,
  alertUrlTemplate: null,
  webhookSecret: null,
  timeoutMs: 1_000,
} as JiraConfig;

function outboxRow(overrides: Partial<OutboxRow> = {}): OutboxRow {
  return { id: '1', alert_id: ALERT_ID, action: 'create', payload: {}, attempts: 1, ...overrides };
}

/** An alert as ALERTS_SQL returns it. */
function alertRow(overrides: Record<string, unknown> = {}) {
  return {
    id: ALERT_ID,
    fingerprint: FINGERPRINT,
    issue_code: 'PRICE_MISSING',
    severity: 'critical',
    group_labels: { service: 'pos-demo', product_id: 'prod-42' },
    service: 'pos-demo',
    suggested_fix: 'Check product pricing configuration',
    occurrences: '12',
    first_seen_at: new Date('2025-11-18T19:00:00Z'),
    last_seen_at: new Date('2025-11-18T19:05:00Z'),
    raw_log: { error_code: 'PRICE_MISSING' },
    jira_issue_key: null,
    create_status: 'pending',
    ...overrides,
  };
}

const ok = <T>(body: T, status = 200): JiraResult<T> => ({ kind: 'ok', status, body });
const TRANSITIONS: JiraTransition[] = [
  { id: '31', name: 'Done', to: { id: '10002', name: 'Done', statusCategory: { key: 'done' } } },
  { id: '41', name: 'Reopen', to: { id: '10000', name: 'To Do', statusCategory: { key: 'new' } } },
];

function fakeClient() {
  return {
    findIssue: jest.fn().mockResolvedValue(ok(null)),
    createIssue: jest.fn().mockResolvedValue(ok('OPS-43', 201)),
    transitions: jest.fn().mockResolvedValue(ok(TRANSITIONS)),
    transition: jest.fn().mockResolvedValue(ok(null, 204)),
    comment: jest.fn().mockResolvedValue(ok({}, 201)),
  };
}

/** A database that hands out `rows` to the claim and records every statement. */
function fakeDatabase(rows: OutboxRow[], alerts: object[]) {
  const calls: Array<{ sql: string; params: unknown[] }> = [];
  const query = jest.fn((sql: string, params: unknown[]) => {
    calls.push({ sql, params });
    // UPDATE ... RETURNING answers [rows, count], as TypeORM's postgres driver does.
    if (sql === CLAIM_SQL) return Promise.resolve([rows, rows.length]);
    if (sql === ALERTS_SQL) return Promise.resolve(alerts);
    if (sql === LINK_SQL) return Promise.resolve([{ linked: 1, current_key: null }]);
    return Promise.resolve([[], 1]);
  });
  const recorded = (sql: string) => calls.filter((c) => c.sql === sql).map((c) => c.params);
  return { dataSource: { query } as unknown as DataSource, recorded };
}

type FakeBreaker = Pick<JiraBreaker, 'isOpen' | 'call'>;
const passThrough: FakeBreaker = { isOpen: false, call: (work) => work() };

function setup(
  rows: OutboxRow[],
  alerts: object[] = [alertRow()],
  breaker: FakeBreaker = passThrough,
) {
  const client = fakeClient();
  const db = fakeDatabase(rows, alerts);
  const failed = { inc: jest.fn() };
  const sync = new JiraSync(
    client as unknown as JiraClient,
    breaker as JiraBreaker,
    new JiraStatuses(config),
    config,
  );
  const sut = new JiraOutboxWorker(db.dataSource, config, sync, breaker as JiraBreaker, failed);
  return { sut, client, failed, ...db };
}

describe(JiraOutboxWorker.name, () => {
  afterEach(() => jest.restoreAllMocks());
  beforeEach(() => {
    for (const level of ['log', 'warn', 'debug', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });

  it('claims with a lease of twice the timeout plus 5 s', async () => {
    const { sut, recorded } = setup([]);
    await expect(sut.round()).resolves.toBe(0);
    expect(recorded(CLAIM_SQL)).toEqual([[7_000]]);
  });

  it('creates the issue when the label search finds none, and links it', async () => {
    const { sut, client, recorded } = setup([outboxRow()]);
    await expect(sut.round()).resolves.toBe(1);
    expect(client.findIssue).toHaveBeenCalledWith(
      `labels = "stacklens-${'ab'.repeat(8)}" ORDER BY created ASC`,
      expect.any(AbortSignal),
    );
    expect(client.createIssue).toHaveBeenCalledWith(
      expect.objectContaining({
        project: { key: 'OPS' },
        issuetype: { name: 'Bug' },
        summary: '[critical] PRICE_MISSING on pos-demo (product prod-42)',
        labels: ['stacklens', `stacklens-${'ab'.repeat(8)}`],
        description: expect.objectContaining({ type: 'doc', version: 1 }),
      }),
      expect.any(AbortSignal),
    );
    expect(recorded(LINK_SQL)).toEqual([
      [ALERT_ID, 'OPS-43', 'created', { occurrences: '12' }, '1'],
    ]);
  });

  it('links the issue the label search finds instead of creating a second one', async () => {
    const { sut, client, recorded } = setup([outboxRow()]);
    client.findIssue.mockResolvedValue(ok('OPS-7'));
    await sut.round();
    expect(client.createIssue).not.toHaveBeenCalled();
    expect(recorded(LINK_SQL)).toEqual([[ALERT_ID, 'OPS-7', 'found', { occurrences: '12' }, '1']]);
  });

  it('creates nothing for an alert linked by hand meanwhile', async () => {
    const { sut, client, recorded } = setup([outboxRow()], [alertRow({ jira_issue_key: 'OPS-1' })]);
    await sut.round();
    expect(client.findIssue).not.toHaveBeenCalled();
    expect(recorded(DONE_SQL)).toEqual([['1', { occurrences: '12' }]]);
  });

  it("parks a permanent failure as failed with Jira's message, and meters it", async () => {
    const { sut, client, recorded, failed } = setup([outboxRow()]);
    const message = 'HTTP 400: project: valid project is required';
    client.createIssue.mockResolvedValue({ kind: 'permanent', status: 400, message });
    await sut.round();
    expect(recorded(FAIL_SQL)).toEqual([['1', message]]);
    expect(failed.inc).toHaveBeenCalledWith({ action: 'create' });
    expect(recorded(RESCHEDULE_SQL)).toEqual([]);
  });

  it('reschedules a transient failure no sooner than Retry-After', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { sut, client, recorded } = setup([outboxRow({ attempts: 3 })]);
    client.findIssue.mockResolvedValue({
      kind: 'transient',
      status: 429,
      message: 'HTTP 429: Rate limit exceeded.',
      retryAfterMs: 30_000,
    });
    await sut.round();
    expect(recorded(RESCHEDULE_SQL)).toEqual([['1', 30_000, 'HTTP 429: Rate limit exceeded.']]);
    expect(recorded(FAIL_SQL)).toEqual([]);
  });

  it('leaves rows pending, the attempt not counted, while the breaker is open', async () => {
    const open: FakeBreaker = { isOpen: false, call: () => Promise.resolve(BREAKER_OPEN) };
    const { sut, recorded, failed } = setup([outboxRow(), outboxRow({ id: '2' })], undefined, open);
    await sut.round();
    expect(recorded(RELEASE_SQL)).toEqual([['1'], ['2']]);
    expect([...recorded(FAIL_SQL), ...recorded(RESCHEDULE_SQL)]).toEqual([]);
    expect(failed.inc).not.toHaveBeenCalled();
  });

  it('claims nothing while the breaker is open', async () => {
    const { sut, recorded } = setup([outboxRow()], undefined, { ...passThrough, isOpen: true });
    await expect(sut.round()).resolves.toBe(0);
    expect(recorded(CLAIM_SQL)).toEqual([]);
  });

  it('resolves through the transition named JIRA_RESOLVE_TRANSITION, case-insensitively', async () => {
    const row = outboxRow({ action: 'resolve', payload: { reason: 'quiet', actor: 'system' } });
    const { sut, client, recorded } = setup([row], [alertRow({ jira_issue_key: 'OPS-1' })]);
    client.transitions.mockResolvedValue(ok([{ ...TRANSITIONS[0], name: 'DONE' }, TRANSITIONS[1]]));
    await sut.round();
    expect(client.transition).toHaveBeenCalledWith('OPS-1', '31', expect.any(AbortSignal));
    expect(client.comment).not.toHaveBeenCalled();
    expect(recorded(DONE_SQL)).toEqual([['1', { transitioned: true }]]);
  });

  it('reopens with the Reopen transition and a comment saying why', async () => {
    const row = outboxRow({ action: 'reopen', payload: { reason: 'regression', actor: 'system' } });
    const { sut, client } = setup([row], [alertRow({ jira_issue_key: 'OPS-1' })]);
    await sut.round();
    expect(client.transition).toHaveBeenCalledWith('OPS-1', '41', expect.any(AbortSignal));
    expect(JSON.stringify(client.comment.mock.calls[0][1])).toContain(
      'StackLens reopened this alert (regression) by system.',
    );
  });

  it('comments instead when the workflow has no such transition', async () => {
    const row = outboxRow({ action: 'reopen', payload: { reason: 'jira', actor: 'alice' } });
    const { sut, client, recorded } = setup([row], [alertRow({ jira_issue_key: 'OPS-1' })]);
    client.transitions.mockResolvedValue(ok([TRANSITIONS[0]]));
    await sut.round();
    expect(client.transition).not.toHaveBeenCalled();
    expect(JSON.stringify(client.comment.mock.calls[0][1])).toContain('no \\"Reopen\\" transition');
    expect(recorded(DONE_SQL)).toEqual([['1', { transitioned: false }]]);
  });

  it('waits for the ticket when a transition comes before its create is delivered', async () => {
    const row = outboxRow({ action: 'resolve', attempts: 1 });
    const { sut, client, recorded } = setup([row], [alertRow({ create_status: 'failed' })]);
    await sut.round();
    expect(client.transitions).not.toHaveBeenCalled();
    expect(recorded(RESCHEDULE_SQL)).toEqual([
      ['1', expect.any(Number), 'the ticket is not created yet'],
    ]);
  });

  it('drops a transition for an alert that will never have a ticket', async () => {
    const row = outboxRow({ action: 'resolve' });
    const { sut, recorded } = setup([row], [alertRow({ create_status: null })]);
    await sut.round();
    expect(recorded(DONE_SQL)).toEqual([['1', { skipped: 'the alert has no ticket' }]]);
  });

  it('comments the current count and last seen time', async () => {
    const row = outboxRow({ action: 'comment' });
    const { sut, client, recorded } = setup([row], [alertRow({ jira_issue_key: 'OPS-1' })]);
    await sut.round();
    expect(JSON.stringify(client.comment.mock.calls[0][1])).toContain(
      'still firing, 12 occurrences so far; last seen 2025-11-18T19:05:00.000Z',
    );
    expect(recorded(DONE_SQL)).toEqual([['1', { occurrences: '12' }]]);
  });
});

describe(retryDelayMs.name, () => {
  it('jitters fully below a ceiling that doubles from 1 s and stops at 5 min', () => {
    expect(retryDelayMs(1, null, () => 0.999)).toBe(999);
    expect(retryDelayMs(4, null, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(40, null, () => 1)).toBe(300_000);
    expect(retryDelayMs(3, null, () => 0)).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    expect(retryDelayMs(1, 60_000, () => 1)).toBe(60_000);
  });
});
