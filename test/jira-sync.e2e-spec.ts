import { setTimeout as pace } from 'node:timers/promises';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { metric, logLines } from './support/groups-observe';
import {
  assertContracts,
  noReopenTransition,
  projectNotFound,
  rateLimitedOnce,
} from './support/jira-double';
import { jiraForRun } from './support/jira-global';
import {
  activityOfAlert,
  alertById,
  alertsOnceThere,
  alertWith,
  databaseError,
  fingerprintLabel,
  handKey,
  outboxOf,
  outboxSettled,
  priceMissing,
  send,
  SyncAlert,
  timeout,
  uniqueSvc,
} from './support/jira-sync-alerts';
import {
  callsOn,
  commentTextOf,
  createdKeyOf,
  createsOf,
  journal,
  labelsOf,
  searchesFor,
  summaryOf,
  transitionIdOf,
} from './support/jira-sync-journal';
import {
  leakedSecrets,
  OPERATOR,
  operatorApi,
  OperatorApi,
  sendWebhook,
  signatureOf,
  startJiraService,
  STATUS,
  statusChanged,
} from './support/jira-sync-service';
import { createTopics } from './support/kafka';
import { ServiceProcess } from './support/service';

/**
 * The Jira integration end to end: the built service as a process, the real broker and database,
 * Jira played by WireMock (test/jira). One service process for every case here; the slow and
 * destructive ones (outage, crash, two instances) are in test/faults/jira-outage.fault-spec.ts.
 */
describe('Jira sync', () => {
  const double = jiraForRun();
  // The shortest interval the service accepts (its scheduler looks once a minute).
  const UPDATE_INTERVAL_MS = 60_000;
  let topic: string;
  let service: ServiceProcess;
  let api: OperatorApi;

  beforeAll(async () => {
    const topics = await createTopics(1);
    topic = topics.topic;
    service = await startJiraService(topics, double.url, { JIRA_UPDATE_INTERVAL: '1m' });
    api = operatorApi(service);
  });
  afterAll(async () => {
    await service?.stop();
    await closeClients();
  });
  beforeEach(() => double.reset());
  afterEach(async () => {
    assertContracts(await double.requests());
  });

  const keyOnceLinked = (alertId: string, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const { body } = await api.alert(alertId);
        if (!body?.jira_issue_key) throw new Error(`not linked yet: ${JSON.stringify(body)}`);
        return body.jira_issue_key as string;
      },
      { timeoutMs, intervalMs: 200 },
    );

  const occurrencesReach = (alertId: string, n: number) =>
    eventually(async () => expect((await alertById(alertId)).occurrences).toBe(n), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });

  /** Info alerts of `svc`, one per endpoint, each linked by hand to a key of its own. */
  async function linkedAlerts(svc: string, endpoints: string[]) {
    await send(
      topic,
      endpoints.map((e) => timeout(svc, e)),
    );
    const alerts = await alertsOnceThere(svc, endpoints.length);
    return Promise.all(
      endpoints.map(async (endpoint) => {
        const alert = alertWith(alerts, { endpoint });
        const key = handKey();
        expect((await api.link(alert.id, key)).status).toBe(200);
        return { alert, key };
      }),
    );
  }

  /**
   * Resolves a hand-linked alert through the API and waits for its transition: the worker has
   * then passed every row queued before it (rows are claimed in id order).
   */
  async function workerBarrier(svc: string) {
    const [{ alert, key }] = await linkedAlerts(`${svc}-barrier`, ['/barrier']);
    expect((await api.resolve(alert.id)).status).toBe(200);
    await eventually(
      async () => expect(callsOn(await journal(double.url), key, 'transition')).toHaveLength(1),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await outboxSettled([alert.id]);
  }

  it('opens exactly one ticket for a critical alert, none for info or warning alerts', async () => {
    const svc = uniqueSvc('jira-policy');
    await send(topic, [priceMissing(svc, 'prod-1'), timeout(svc, '/pay'), databaseError(svc)]);
    const alerts = await alertsOnceThere(svc, 3);
    const critical = alertWith(alerts, { product_id: 'prod-1' });
    const info = alerts.find((a) => a.issue_code === 'TIMEOUT')!;
    const warning = alerts.find((a) => a.issue_code === 'DATABASE_ERROR')!;
    expect([critical.severity, info.severity, warning.severity]).toEqual([
      'critical',
      'info',
      'warning',
    ]);
    // The create is queued in the batch's transaction: visible with the alerts, or never.
    expect((await outboxOf(info.id)).length + (await outboxOf(warning.id)).length).toBe(0);

    // More events while the create is queued or in flight, and after the ticket is linked.
    await send(
      topic,
      Array.from({ length: 20 }, () => priceMissing(svc, 'prod-1')),
    );
    const key = await keyOnceLinked(critical.id);
    await send(
      topic,
      Array.from({ length: 20 }, () => priceMissing(svc, 'prod-1')),
    );
    await occurrencesReach(critical.id, 41);
    const rows = await outboxSettled([critical.id, info.id, warning.id]);

    expect(rows.map((r) => [r.action, r.status])).toEqual([['create', 'done']]);
    const requests = await journal(double.url);
    const creates = createsOf(requests, svc);
    expect(creates.map((r) => r.status)).toEqual([201]);
    const label = fingerprintLabel(critical.fingerprint);
    expect(creates[0].body).toMatchObject({
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' } },
    });
    expect(summaryOf(creates[0])).toBe(`[critical] PRICE_MISSING on ${svc} (product prod-1)`);
    expect([...labelsOf(creates[0])].sort()).toEqual(['stacklens', label].sort());
    expect(createdKeyOf(creates[0])).toBe(key);
    // The label was searched before the create, so a lost answer would be found, not repeated.
    const searches = searchesFor(requests, label);
    expect(searches).toHaveLength(1);
    expect(searches[0].loggedDate).toBeLessThanOrEqual(creates[0].loggedDate);

    const shown = (await api.alert(critical.id)).body;
    expect(shown).toMatchObject({
      jira_issue_key: key,
      jira_sync_status: 'done',
      jira_sync_error: null,
      occurrences: 41,
    });
    expect((await activityOfAlert(critical.id)).filter((a) => a.action === 'jira_linked')).toEqual([
      expect.objectContaining({ actor: 'system', note: key }),
    ]);
    for (const quiet of [info, warning]) {
      expect((await api.alert(quiet.id)).body).toMatchObject({
        jira_issue_key: null,
        jira_sync_status: 'none',
      });
    }
  });

  it('creates a ticket on request for an info alert; links and unlinks an existing key', async () => {
    const svc = uniqueSvc('jira-manual');
    await send(topic, [timeout(svc, '/a'), timeout(svc, '/b')]);
    const alerts = await alertsOnceThere(svc, 2);
    const a = alertWith(alerts, { endpoint: '/a' });
    const b = alertWith(alerts, { endpoint: '/b' });

    const asked = await api.createTicket(a.id);
    expect(asked).toMatchObject({
      status: 202,
      body: { alert_id: a.id, action: 'create', status: 'pending' },
    });
    const created = await keyOnceLinked(a.id);
    const again = await api.createTicket(a.id);
    expect(again.status).toBe(409);
    expect(again.contentType).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({
      type: expect.stringMatching(/jira-already-linked$/),
      jira_issue_key: created,
    });

    const existing = handKey();
    const linked = await api.link(b.id, existing);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ jira_issue_key: existing });
    expect((await api.alert(b.id)).body.jira_issue_key).toBe(existing);
    const unlinked = await api.unlink(b.id);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body).toMatchObject({ jira_issue_key: null });
    // Unlinking the ticket the service created does not make it create another.
    expect((await api.unlink(a.id)).body).toMatchObject({ jira_issue_key: null });

    await workerBarrier(svc);
    expect(await outboxOf(b.id)).toEqual([]);
    expect((await outboxOf(a.id)).map((r) => [r.action, r.status])).toEqual([['create', 'done']]);
    const requests = await journal(double.url);
    const creates = createsOf(requests, svc);
    expect(creates.map((r) => [r.status, summaryOf(r)])).toEqual([
      [201, `[info] TIMEOUT on ${svc} (endpoint /a)`],
    ]);
    expect(createdKeyOf(creates[0])).toBe(created);
    expect(requests.filter((r) => r.url.includes(existing))).toEqual([]);
    expect(searchesFor(requests, fingerprintLabel(b.fingerprint))).toEqual([]);
    expect(
      (await activityOfAlert(b.id))
        .filter((x) => x.action.startsWith('jira_'))
        .map((x) => [x.action, x.actor, x.note]),
    ).toEqual([
      ['jira_linked', OPERATOR, existing],
      ['jira_unlinked', OPERATOR, null],
    ]);
  });

  it('retries a create rate-limited with Retry-After: 2 no sooner than 2 s later, once', async () => {
    await double.stubAll(rateLimitedOnce(2));
    const svc = uniqueSvc('jira-429');
    await send(topic, [priceMissing(svc, 'prod-429')]);
    const [alert] = await alertsOnceThere(svc, 1);
    const key = await keyOnceLinked(alert.id);

    const requests = await journal(double.url);
    const creates = createsOf(requests, svc);
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect(createdKeyOf(creates[1])).toBe(key);
    const label = fingerprintLabel(alert.fingerprint);
    const throttledAt = creates[0].loggedDate;
    const retry = [...searchesFor(requests, label), ...creates].filter(
      (r) => r.loggedDate > throttledAt,
    );
    const firstRetryAt = Math.min(...retry.map((r) => r.loggedDate));
    // loggedDate has millisecond resolution; the retry may not come before Retry-After.
    expect(firstRetryAt - throttledAt).toBeGreaterThanOrEqual(1_990);
    expect(firstRetryAt - throttledAt).toBeLessThan(10_000);
    process.stderr.write(`jira 429: retried ${firstRetryAt - throttledAt} ms after the 429\n`);
    expect((await outboxOf(alert.id)).map((r) => [r.action, r.status])).toEqual([
      ['create', 'done'],
    ]);
  });

  it('parks a create Jira refuses with 400, shows why, and creates it on retry', async () => {
    const failedBefore = await metric(service, 'stacklens_jira_outbox_failed_total', {
      action: 'create',
    });
    const refusing = await double.stubAll(projectNotFound());
    const svc = uniqueSvc('jira-400');
    await send(topic, [priceMissing(svc, 'prod-400')]);
    const [alert] = await alertsOnceThere(svc, 1);

    const parked = await eventually(
      async () => {
        const { body } = await api.alert(alert.id);
        expect(body.jira_sync_status).toBe('failed');
        return body;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(parked.jira_issue_key).toBeNull();
    expect(parked.jira_sync_error).toContain('valid project is required');
    await eventually(async () =>
      expect(
        await metric(service, 'stacklens_jira_outbox_failed_total', { action: 'create' }),
      ).toBe(failedBefore + 1),
    );
    expect(
      logLines(service, 'warn', (r) => r.msg === 'Jira refused an outbox row; parked as failed'),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ alert_id: alert.id })]));
    // Parked: the worker leaves it alone until asked.
    await workerBarrier(svc);
    expect(createsOf(await journal(double.url), svc).map((r) => r.status)).toEqual([400]);
    expect((await api.alert(alert.id)).body.jira_sync_status).toBe('failed');

    for (const id of refusing) await double.removeStub(id);
    const retried = await api.retry(alert.id);
    expect(retried).toMatchObject({ status: 200, body: { alert_id: alert.id, retried: 1 } });
    const key = await keyOnceLinked(alert.id);
    const creates = createsOf(await journal(double.url), svc);
    expect(creates.map((r) => r.status)).toEqual([400, 201]);
    expect(createdKeyOf(creates[1])).toBe(key);
    expect((await api.alert(alert.id)).body).toMatchObject({
      jira_sync_status: 'done',
      jira_sync_error: null,
    });
  });

  describe('sync out', () => {
    async function ticketed(label: string): Promise<{ alert: SyncAlert; key: string }> {
      const svc = uniqueSvc(label);
      await send(topic, [priceMissing(svc, 'prod-7')]);
      const [alert] = await alertsOnceThere(svc, 1);
      return { alert, key: await keyOnceLinked(alert.id) };
    }

    const onKey = async (key: string) => {
      const requests = await journal(double.url);
      return {
        transitions: callsOn(requests, key, 'transition').map(transitionIdOf),
        comments: callsOn(requests, key, 'addComment').map(commentTextOf),
      };
    };

    it('resolving transitions the ticket to Done; reopening transitions it back and comments', async () => {
      const { alert, key } = await ticketed('jira-out');
      expect((await api.resolve(alert.id)).status).toBe(200);
      await eventually(async () => expect((await onKey(key)).transitions).toEqual(['31']), {
        timeoutMs: 30_000,
      });
      await outboxSettled([alert.id]);
      expect((await onKey(key)).comments).toEqual([]);

      expect((await api.reopen(alert.id)).status).toBe(200);
      await eventually(
        async () => {
          const seen = await onKey(key);
          expect(seen.transitions).toEqual(['31', '41']);
          expect(seen.comments).toHaveLength(1);
        },
        { timeoutMs: 30_000 },
      );
      const { comments } = await onKey(key);
      expect(comments[0]).toContain('reopened');
      expect(comments[0]).toContain(OPERATOR);
      const rows = await outboxSettled([alert.id]);
      expect(rows.map((r) => [r.action, r.status])).toEqual([
        ['create', 'done'],
        ['resolve', 'done'],
        ['reopen', 'done'],
      ]);
    });

    it('comments instead when the workflow has no Reopen transition', async () => {
      const { alert, key } = await ticketed('jira-noreopen');
      await double.stubAll(noReopenTransition());
      expect((await api.resolve(alert.id)).status).toBe(200);
      await eventually(async () => expect((await onKey(key)).transitions).toEqual(['31']), {
        timeoutMs: 30_000,
      });
      expect((await api.reopen(alert.id)).status).toBe(200);
      await eventually(async () => expect((await onKey(key)).comments).toHaveLength(1), {
        timeoutMs: 30_000,
      });
      await outboxSettled([alert.id]);
      const seen = await onKey(key);
      expect(seen.transitions).toEqual(['31']);
      expect(seen.comments[0]).toContain('reopened');
      expect(seen.comments[0]).toMatch(/no "Reopen" transition/);
    });

    it('comments on a firing ticket at most once per JIRA_UPDATE_INTERVAL, never once per event', async () => {
      const svc = uniqueSvc('jira-firing');
      const [{ alert, key }] = await linkedAlerts(svc, ['/firing']);
      let sent = 1;
      const firstEventAt = Date.now();
      let lastEventAt = firstEventAt;
      let firstCommentAt: number | null = null;
      // Keep the alert firing until the scheduler (once a minute) has commented, then 8 s more.
      for (;;) {
        await send(
          topic,
          Array.from({ length: 5 }, () => timeout(svc, '/firing')),
        );
        sent += 5;
        lastEventAt = Date.now();
        if (firstCommentAt === null) {
          if (callsOn(await journal(double.url), key, 'addComment').length > 0)
            firstCommentAt = Date.now();
          else if (Date.now() - firstEventAt > UPDATE_INTERVAL_MS + 30_000)
            throw new Error(`no "still firing" comment on ${key} after ${sent} events`);
        } else if (Date.now() - firstCommentAt > 8_000) break;
        await pace(200); // the producer's cadence, not a wait for the service
      }
      await occurrencesReach(alert.id, sent);
      await outboxSettled([alert.id]);

      const comments = callsOn(await journal(double.url), key, 'addComment');
      const firingMs = lastEventAt - firstEventAt;
      expect(sent).toBeGreaterThan(200);
      expect(comments.length).toBeGreaterThanOrEqual(1);
      expect(comments.length).toBeLessThanOrEqual(Math.ceil(firingMs / UPDATE_INTERVAL_MS) + 1);
      expect(commentTextOf(comments[0])).toMatch(/still firing, \d+ occurrences/);
      const rows = await outboxOf(alert.id);
      expect(rows.filter((r) => r.action === 'comment')).toHaveLength(comments.length);
      process.stderr.write(
        `jira comments: ${comments.length} for ${sent} events over ${firingMs} ms\n`,
      );
    });
  });

  describe('webhook', () => {
    const done = (key: string) => statusChanged(key, STATUS.toDo, STATUS.done);
    const history = async (id: string) => ({
      alert: await alertById(id),
      activity: await activityOfAlert(id),
      outbox: await outboxOf(id),
    });

    it('resolves the alert of a ticket moved to done (actor jira) and sends nothing back', async () => {
      const svc = uniqueSvc('jira-hook');
      const [{ alert, key }] = await linkedAlerts(svc, ['/hook']);
      expect(await sendWebhook(service, done(key))).toMatchObject({ status: 204 });

      const after = await alertById(alert.id);
      expect(after).toMatchObject({
        status: 'resolved',
        resolution_reason: 'jira',
        resolved_by: 'jira',
      });
      expect((await api.alert(alert.id)).body).toMatchObject({
        status: 'resolved',
        resolution_reason: 'jira',
        resolved_by: 'jira',
      });
      expect((await activityOfAlert(alert.id)).at(-1)).toMatchObject({
        action: 'resolved',
        actor: 'jira',
        to_status: 'resolved',
      });
      // The echo rule: a change that came from Jira queues nothing for Jira.
      await workerBarrier(svc);
      expect(await outboxOf(alert.id)).toEqual([]);
      expect((await journal(double.url)).filter((r) => r.path.includes(`/issue/${key}/`))).toEqual(
        [],
      );
    });

    it('reopens the alert of a ticket moved out of done (actor jira), sending nothing back', async () => {
      const svc = uniqueSvc('jira-hook-reopen');
      const [{ alert, key }] = await linkedAlerts(svc, ['/hook']);
      expect((await sendWebhook(service, done(key))).status).toBe(204);
      expect((await alertById(alert.id)).status).toBe('resolved');
      const reopened = statusChanged(key, STATUS.done, STATUS.toDo);
      expect((await sendWebhook(service, reopened)).status).toBe(204);

      expect(await alertById(alert.id)).toMatchObject({
        status: 'open',
        resolved_by: null,
        resolution_reason: null,
      });
      expect((await activityOfAlert(alert.id)).at(-1)).toMatchObject({
        action: 'reopened',
        actor: 'jira',
        from_status: 'resolved',
        to_status: 'open',
      });
      await workerBarrier(svc);
      expect(await outboxOf(alert.id)).toEqual([]);
      expect((await journal(double.url)).filter((r) => r.path.includes(`/issue/${key}/`))).toEqual(
        [],
      );
    });

    it('answers 401 problem+json to a missing or wrong signature and changes nothing', async () => {
      const svc = uniqueSvc('jira-hook-401');
      const [{ alert, key }] = await linkedAlerts(svc, ['/hook']);
      const before = await history(alert.id);
      const body = done(key);
      const raw = JSON.stringify(body);
      const forged = [
        signatureOf(raw, 'not-the-secret'),
        null,
        'sha256=zz',
        signatureOf(JSON.stringify({ ...body, timestamp: 1 })),
      ];
      for (const signature of forged) {
        const answer = await sendWebhook(service, body, signature);
        expect(answer.status).toBe(401);
        expect(answer.contentType).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({ status: 401 });
      }
      expect(await history(alert.id)).toEqual(before);
      expect(before.alert.status).toBe('open');
    });

    it('ignores the echo of its own transition and moves between statuses that are not done', async () => {
      const svc = uniqueSvc('jira-hook-echo');
      const [resolved, open] = await linkedAlerts(svc, ['/resolved', '/open']);
      expect((await api.resolve(resolved.alert.id)).status).toBe(200);
      // The service's own transition goes out; Jira then reports it back.
      await eventually(
        async () =>
          expect(callsOn(await journal(double.url), resolved.key, 'transition')).toHaveLength(1),
        { timeoutMs: 30_000 },
      );
      await outboxSettled([resolved.alert.id]);
      const resolvedBefore = await history(resolved.alert.id);
      const openBefore = await history(open.alert.id);

      expect((await sendWebhook(service, done(resolved.key))).status).toBe(204);
      const sideways = [
        statusChanged(open.key, STATUS.toDo, STATUS.inProgress),
        statusChanged(resolved.key, STATUS.inProgress, STATUS.toDo),
      ];
      for (const change of sideways) expect((await sendWebhook(service, change)).status).toBe(204);

      expect(await history(resolved.alert.id)).toEqual(resolvedBefore);
      expect(await history(open.alert.id)).toEqual(openBefore);
      expect(resolvedBefore.alert).toMatchObject({
        status: 'resolved',
        resolved_by: OPERATOR,
        resolution_reason: 'manual',
      });
      expect(openBefore.alert.status).toBe('open');

      // The echo of a reopen: the service moves the ticket out of done, Jira reports it back.
      expect((await api.reopen(resolved.alert.id)).status).toBe(200);
      await eventually(
        async () =>
          expect(
            callsOn(await journal(double.url), resolved.key, 'transition').map(transitionIdOf),
          ).toEqual(['31', '41']),
        { timeoutMs: 30_000 },
      );
      await outboxSettled([resolved.alert.id]);
      const reopenedBefore = await history(resolved.alert.id);
      const echo = statusChanged(resolved.key, STATUS.done, STATUS.toDo);
      expect((await sendWebhook(service, echo)).status).toBe(204);
      expect(await history(resolved.alert.id)).toEqual(reopenedBefore);
      expect(reopenedBefore.alert.status).toBe('open');
    });
  });

  it('prints no secret: Jira API token, webhook secret, API tokens', () => {
    expect(service.lines.length).toBeGreaterThan(0);
    expect(logLines(service, 'info', (r) => r.msg === 'Jira integration on')).toHaveLength(1);
    expect(leakedSecrets([service])).toEqual([]);
  });
});
