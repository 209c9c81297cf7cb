import { setTimeout as pace } from 'node:timers/promises';
import { closeClients } from '../support/clients';
import { eventually } from '../support/eventually';
import { logLines, metric } from '../support/groups-observe';
import { assertContracts, createAnswersAfter, jiraDown } from '../support/jira-double';
import { jiraForRun } from '../support/jira-global';
import {
  activityOfAlert,
  alertById,
  alertsOfSvc,
  alertsOnceThere,
  fingerprintLabel,
  handKey,
  occurrenceRows,
  outboxOf,
  outboxSettled,
  priceMissing,
  send,
  SyncAlert,
  uniqueSvc,
} from '../support/jira-sync-alerts';
import {
  createdKeyOf,
  createsOf,
  journal,
  labelsOf,
  Logged,
  searchesFor,
  slowCreates,
} from '../support/jira-sync-journal';
import { jiraServiceEnv, leakedSecrets } from '../support/jira-sync-service';
import { createTopics } from '../support/kafka';
import { ServiceProcess, startService } from '../support/service';

/**
 * The Jira integration when things go wrong: Jira down for a minute, the service killed while
 * Jira is creating a ticket, two instances sharing one outbox. The real service processes, broker
 * and database; Jira is the run's WireMock double (reset before each case).
 */
describe('Jira outbox under faults', () => {
  const double = jiraForRun();
  const TIMEOUT_MS = 2_000;
  /** What the README promises: twice JIRA_TIMEOUT_MS plus 5 s. */
  const LEASE_MS = 2 * TIMEOUT_MS + 5_000;
  const started: ServiceProcess[] = [];

  const start = async (env: Record<string, string>, ready = true) => {
    const service = await startService(env);
    started.push(service);
    if (ready) await service.waitReady(90_000);
    return service;
  };

  beforeEach(() => double.reset());
  afterEach(async () => {
    // Every instance's worker serves the whole outbox: none may outlive its case.
    await Promise.all(started.splice(0).map((s) => s.stop()));
    assertContracts(await double.requests());
  });
  afterAll(closeClients);

  /** Each alert's key is the key Jira answered to the one create that carried its label. */
  function expectOneTicketEach(alerts: SyncAlert[], creates: Logged[]) {
    expect(creates.map((c) => c.status)).toEqual(alerts.map(() => 201));
    for (const alert of alerts) {
      const own = creates.filter((c) => labelsOf(c).includes(fingerprintLabel(alert.fingerprint)));
      expect(own).toHaveLength(1);
      expect(alert.jira_issue_key).toBe(createdKeyOf(own[0]));
    }
    expect(new Set(alerts.map((a) => a.jira_issue_key)).size).toBe(alerts.length);
  }

  it('Jira down for 60 s while 20 critical alerts open: consumption keeps pace, then exactly 20 tickets', async () => {
    const OUTAGE_MS = 60_000;
    const topics = await createTopics(3);
    const service = await start(jiraServiceEnv(topics, double.url, { JIRA_TIMEOUT_MS: '2000' }));
    const svc = uniqueSvc('jira-outage');
    const products = Array.from({ length: 20 }, (_, i) => `prod-${i}`);
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => priceMissing(svc, products[i % 20]));

    const [down] = await double.stubAll(jiraDown());
    const downAt = Date.now();
    let sent = 0;
    const lagsMs: number[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const batch = events(sent === 0 ? 20 : 60);
      const producedAt = Date.now();
      await send(topics.topic, batch);
      sent += batch.length;
      // Stored while Jira is still down, within what the consumer takes anyway.
      await eventually(async () => expect(await occurrenceRows(svc)).toBe(sent), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
      lagsMs.push(Date.now() - producedAt);
      await pace(1_000); // the producer's cadence, not a wait for the service
    }
    const alerts = await alertsOnceThere(svc, 20);
    expect(alerts.every((a) => a.jira_issue_key === null)).toBe(true);
    expect(
      logLines(service, 'warn', (r) =>
        String(r.msg).startsWith('Jira keeps failing; circuit open'),
      ),
    ).toHaveLength(1);
    expect(await metric(service, 'stacklens_jira_outbox_pending')).toBeGreaterThanOrEqual(20);
    const duringOutage = await journal(double.url);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.every((r) => r.status === 503)).toBe(true);

    await double.removeStub(down);
    const upAt = Date.now();
    const linked = await eventually(
      async () => {
        const now = await alertsOfSvc(svc);
        const missing = now.filter((a) => a.jira_issue_key === null).length;
        if (missing > 0) throw new Error(`${missing} of 20 alerts without a ticket`);
        return now;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const recoveredMs = Date.now() - upAt;
    await outboxSettled(linked.map((a) => a.id));

    expectOneTicketEach(linked, createsOf(await journal(double.url), svc));
    expect(await occurrenceRows(svc)).toBe(sent);
    expect(linked.reduce((sum, a) => sum + a.occurrences, 0)).toBe(sent);
    expect(
      logLines(service, 'warn', (r) =>
        String(r.msg).startsWith('Jira keeps failing; circuit open'),
      ),
    ).toHaveLength(1);
    expect(logLines(service, 'info', (r) => String(r.msg).endsWith('circuit closed'))).toHaveLength(
      1,
    );
    expect(leakedSecrets([service])).toEqual([]);
    process.stderr.write(
      `jira outage: ${sent} events during ${OUTAGE_MS} ms down, batch lag max ${Math.max(...lagsMs)} ms, ` +
        `20 tickets ${recoveredMs} ms after Jira came back\n`,
    );
  });

  it('kill -9 while Jira creates the ticket: after the lease the ticket is found and linked, not created twice', async () => {
    const topics = await createTopics(1);
    const env = jiraServiceEnv(topics, double.url, { JIRA_TIMEOUT_MS: String(TIMEOUT_MS) });
    let service = await start(env);
    const key = handKey();
    // Answered long after the kill; WireMock finds the issue from the moment the create arrives.
    await double.stubAll(createAnswersAfter(30_000, { key, id: '4242', labels: ['stacklens'] }));
    const svc = uniqueSvc('jira-crash');
    await send(topics.topic, [priceMissing(svc, 'prod-crash')]);
    const [alert] = await alertsOnceThere(svc, 1);

    const create = await eventually(
      async () => {
        const creates = createsOf(await journal(double.url), svc);
        expect(creates).toHaveLength(1);
        return creates[0];
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await service.stop('SIGKILL');
    // Killed while the create was in flight: before its own timeout could have ended it.
    expect(Date.now() - create.loggedDate).toBeLessThan(TIMEOUT_MS);
    expect((await alertById(alert.id)).jira_issue_key).toBeNull();
    expect((await outboxOf(alert.id)).map((r) => [r.action, r.status])).toEqual([
      ['create', 'pending'],
    ]);

    service = await start(env, false);
    await eventually(async () => expect((await alertById(alert.id)).jira_issue_key).toBe(key), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await outboxSettled([alert.id]);

    const requests = await journal(double.url);
    expect(createsOf(requests, svc)).toHaveLength(1);
    const searches = searchesFor(requests, fingerprintLabel(alert.fingerprint));
    expect(searches).toHaveLength(2);
    const [before, after] = searches;
    expect(before.loggedDate).toBeLessThanOrEqual(create.loggedDate);
    expect(after.answer).toMatchObject({ issues: [{ key }] });
    // The row came back only once its lease had run out.
    expect(after.loggedDate - before.loggedDate).toBeGreaterThanOrEqual(LEASE_MS - 100);
    expect((await activityOfAlert(alert.id)).filter((a) => a.action === 'jira_linked')).toEqual([
      expect.objectContaining({ actor: 'system', note: key, reason: 'found' }),
    ]);
    expect(
      logLines(service, 'info', (r) => r.msg === 'Jira ticket found and linked' && r.key === key),
    ).toHaveLength(1);
    expect(leakedSecrets(started)).toEqual([]);
    // Its graceful stop would wait for the group to drop the killed member: not this case's subject.
    await service.stop('SIGKILL');
  });

  it('two instances sharing one outbox: 10 critical alerts, exactly 10 creates', async () => {
    const topics = await createTopics(4);
    const env = jiraServiceEnv(topics, double.url, { JIRA_TIMEOUT_MS: String(TIMEOUT_MS) });
    const instances = await Promise.all([start(env), start(env)]);
    // Slow answers keep rows in flight across the other instance's ticks.
    await double.stubAll(slowCreates(1_500));
    const svc = uniqueSvc('jira-two');
    const products = Array.from({ length: 10 }, (_, i) => `prod-${i}`);
    await send(
      topics.topic,
      products.flatMap((p) => [priceMissing(svc, p), priceMissing(svc, p)]),
    );
    await alertsOnceThere(svc, 10);
    const linked = await eventually(
      async () => {
        const now = await alertsOfSvc(svc);
        const missing = now.filter((a) => a.jira_issue_key === null).length;
        if (missing > 0) throw new Error(`${missing} of 10 alerts without a ticket`);
        return now;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await outboxSettled(linked.map((a) => a.id));

    expectOneTicketEach(linked, createsOf(await journal(double.url), svc));
    const ids = new Set(linked.map((a) => a.id));
    const perInstance = instances.map(
      (s) =>
        logLines(s, 'info', (r) => r.msg === 'Jira ticket created' && ids.has(String(r.alert_id)))
          .length,
    );
    expect(perInstance[0] + perInstance[1]).toBe(10);
    expect(leakedSecrets(instances)).toEqual([]);
    process.stderr.write(
      `jira two instances: tickets created per instance ${perInstance.join(' + ')}\n`,
    );
  });
});
