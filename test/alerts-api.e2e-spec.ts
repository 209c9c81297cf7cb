import { HealthModule } from '../src/health/health.module';
import { MetricsModule } from '../src/metrics/metrics.module';
import { ApiApp, startApiApp } from './support/api-app';
import { minutesAgo, seedAlert, seedOccurrences, uniqueService } from './support/api-seed';
import { closeDatabase, query } from './support/database';

const OPERATOR = { name: 'alice', token: 'op-token-0123456789abcdef' };
const OPERATOR_2 = { name: 'bob', token: 'op-token-fedcba9876543210' };
const VIEWER = { name: 'victor', token: 'view-token-0123456789abcd' };
const TOKENS = [
  `${OPERATOR.name}:operator:${OPERATOR.token}`,
  `${OPERATOR_2.name}:operator:${OPERATOR_2.token}`,
  `${VIEWER.name}:viewer:${VIEWER.token}`,
].join(',');

interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Every error this API sends: problem+json, RFC 9457 members, never a stack trace. */
function expectProblem(res: Reply, status: number, type?: string): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(res.body.type).toEqual(
    type ? `https://stacklens.dev/problems/${type}` : expect.any(String),
  );
  expect(res.body.instance).toMatch(/^\//);
  expect(res.text).not.toMatch(/"stack"|\bat .+\(|node_modules|\.[jt]s:\d+|Error:/);
}

describe('alerts API (/api/v1)', () => {
  let api: ApiApp;

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const { token = OPERATOR.token, body, headers = {} } = options;
    const res = await fetch(api.url(path), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, the Swagger UI)
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  const get = (path: string, options?: CallOptions) => call('GET', path, options);
  const post = (path: string, options?: CallOptions) => call('POST', path, options);
  const ids = (res: Reply): string[] => res.body.items.map((a: { id: string }) => a.id);

  beforeAll(async () => {
    api = await startApiApp({ API_TOKENS: TOKENS, API_RATE_LIMIT_PER_MINUTE: '100000' }, [
      MetricsModule,
      HealthModule,
    ]);
  });

  afterAll(async () => {
    await api?.close();
    await closeDatabase();
  });

  describe('authentication and roles', () => {
    it('answers 401 with WWW-Authenticate to a request without a token', async () => {
      const res = await get('/api/v1/alerts', { token: null });
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="stacklens"');
    });

    it('answers 401 to an unknown token, and to a known one under another scheme', async () => {
      const unknown = await get('/api/v1/alerts', { token: `${OPERATOR.token}x` });
      expectProblem(unknown, 401, 'unauthorized');
      expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const basic = await get('/api/v1/alerts', {
        token: null,
        headers: { authorization: `Basic ${OPERATOR.token}` },
      });
      expectProblem(basic, 401, 'unauthorized');
    });

    it('lets a viewer read but not change an alert (403)', async () => {
      const alert = await seedAlert();
      expect((await get(`/api/v1/alerts/${alert.id}`, { token: VIEWER.token })).status).toBe(200);
      const res = await post(`/api/v1/alerts/${alert.id}/acknowledge`, { token: VIEWER.token });
      expectProblem(res, 403, 'forbidden');
      const [row] = await query(`SELECT status, version FROM alerts WHERE id = $1`, [alert.id]);
      expect(row).toEqual({ status: 'open', version: 1 });
    });
  });

  describe('lifecycle', () => {
    it('acknowledges, resolves and reopens, recording each change with the token name', async () => {
      const alert = await seedAlert();
      const path = `/api/v1/alerts/${alert.id}`;

      const ack = await post(`${path}/acknowledge`, { body: { note: 'looking' } });
      expect(ack.status).toBe(200);
      expect(ack.headers.get('etag')).toBe('"2"');
      expect(ack.body).toMatchObject({
        id: alert.id,
        status: 'acknowledged',
        acknowledged_by: OPERATOR.name,
        acknowledged_at: expect.any(String),
        version: 2,
      });

      const resolved = await post(`${path}/resolve`, {
        token: OPERATOR_2.token,
        headers: { 'if-match': ack.headers.get('etag')! },
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({
        status: 'resolved',
        resolved_by: OPERATOR_2.name,
        resolution_reason: 'manual',
        resolved_at: expect.any(String),
        version: 3,
      });

      const reopened = await post(`${path}/reopen`, { body: { note: 'came back' } });
      expect(reopened.status).toBe(200);
      expect(reopened.body).toMatchObject({
        status: 'open',
        reopen_count: 1,
        resolved_at: null,
        resolved_by: null,
        resolution_reason: null,
        version: 4,
      });

      const activity = await get(`${path}/activity`);
      expect(activity.status).toBe(200);
      expect(activity.body.next_cursor).toBeNull();
      expect(activity.body.items).toEqual([
        expect.objectContaining({
          action: 'reopened',
          from_status: 'resolved',
          to_status: 'open',
          actor: OPERATOR.name,
          note: 'came back',
        }),
        expect.objectContaining({
          action: 'resolved',
          from_status: 'acknowledged',
          to_status: 'resolved',
          actor: OPERATOR_2.name,
          reason: 'manual',
          note: null,
        }),
        expect.objectContaining({
          action: 'acknowledged',
          from_status: 'open',
          to_status: 'acknowledged',
          actor: OPERATOR.name,
          note: 'looking',
        }),
      ]);
    });

    it('resolves an open alert directly, recording open as the status it left', async () => {
      const alert = await seedAlert();
      expect((await post(`/api/v1/alerts/${alert.id}/resolve`)).status).toBe(200);
      const [row] = await query(
        `SELECT from_status, to_status FROM alert_activity WHERE alert_id = $1`,
        [alert.id],
      );
      expect(row).toEqual({ from_status: 'open', to_status: 'resolved' });
    });

    it('answers 409 with the current status to an illegal transition, and changes nothing', async () => {
      const alert = await seedAlert({ status: 'resolved' });
      const res = await post(`/api/v1/alerts/${alert.id}/acknowledge`);
      expectProblem(res, 409, 'illegal-transition');
      expect(res.body.current_status).toBe('resolved');
      const reopenOpen = await post(`/api/v1/alerts/${(await seedAlert()).id}/reopen`);
      expectProblem(reopenOpen, 409, 'illegal-transition');
      expect(reopenOpen.body.current_status).toBe('open');
      const activity = await query(`SELECT 1 FROM alert_activity WHERE alert_id = $1`, [alert.id]);
      expect(activity).toHaveLength(0);
    });

    it('answers 412 with the current version to a stale If-Match, and accepts every form of a current one', async () => {
      const alert = await seedAlert({ version: 5 });
      const path = `/api/v1/alerts/${alert.id}`;
      const stale = await post(`${path}/acknowledge`, { headers: { 'if-match': '"4"' } });
      expectProblem(stale, 412, 'stale-version');
      expect(stale.body.current_version).toBe(5);

      expect((await post(`${path}/acknowledge`, { headers: { 'if-match': 'W/"5"' } })).status).toBe(
        200,
      );
      expect((await post(`${path}/resolve`, { headers: { 'if-match': '6' } })).status).toBe(200);
      expect((await post(`${path}/reopen`, { headers: { 'if-match': '"7"' } })).status).toBe(200);
    });

    it('refuses an If-Match that is not one version (400 naming it)', async () => {
      const alert = await seedAlert();
      for (const ifMatch of ['abc', '"1", "2"', '0', '99999999999']) {
        const res = await post(`/api/v1/alerts/${alert.id}/acknowledge`, {
          headers: { 'if-match': ifMatch },
        });
        expectProblem(res, 400, 'validation');
        expect(res.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
      }
    });

    it('lets exactly one of two concurrent acknowledges on the same version win', async () => {
      const alert = await seedAlert();
      const attempt = (token: string) =>
        post(`/api/v1/alerts/${alert.id}/acknowledge`, { token, headers: { 'if-match': '"1"' } });
      const results = await Promise.all([attempt(OPERATOR.token), attempt(OPERATOR_2.token)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
      const loser = results.find((r) => r.status === 412)!;
      expectProblem(loser, 412, 'stale-version');
      expect(loser.body.current_version).toBe(2);
      const activity = await query(`SELECT actor FROM alert_activity WHERE alert_id = $1`, [
        alert.id,
      ]);
      const winner = results.find((r) => r.status === 200)!;
      expect(activity).toEqual([{ actor: winner.body.acknowledged_by }]);
    });

    it('lets exactly one of two concurrent resolves without If-Match win; the other gets 409', async () => {
      const alert = await seedAlert();
      const attempt = () => post(`/api/v1/alerts/${alert.id}/resolve`);
      const results = await Promise.all([attempt(), attempt()]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const activity = await query(`SELECT 1 FROM alert_activity WHERE alert_id = $1`, [alert.id]);
      expect(activity).toHaveLength(1);
    });

    it('refuses to reopen while another alert for the same fingerprint is open (409 naming it)', async () => {
      const resolved = await seedAlert({ status: 'resolved' });
      const open = await seedAlert({ fingerprint: resolved.fingerprint });
      const res = await post(`/api/v1/alerts/${resolved.id}/reopen`);
      expectProblem(res, 409, 'fingerprint-already-open');
      expect(res.body.open_alert_id).toBe(open.id);
      const [row] = await query(`SELECT status, version FROM alerts WHERE id = $1`, [resolved.id]);
      expect(row).toEqual({ status: 'resolved', version: 1 });
    });

    it('links and unlinks a Jira issue, idempotently', async () => {
      const alert = await seedAlert();
      const path = `/api/v1/alerts/${alert.id}/jira`;
      const linked = await call('PUT', path, { body: { key: 'OPS-123' } });
      expect(linked.status).toBe(200);
      expect(linked.body).toMatchObject({ jira_issue_key: 'OPS-123', status: 'open', version: 2 });
      const again = await call('PUT', path, { body: { key: 'OPS-123' } });
      expect(again.body).toMatchObject({ jira_issue_key: 'OPS-123', version: 2 });
      const unlinked = await call('DELETE', path);
      expect(unlinked.status).toBe(200);
      expect(unlinked.body).toMatchObject({ jira_issue_key: null, version: 3 });
      expect((await call('DELETE', path)).body.version).toBe(3);

      const activity = await get(`/api/v1/alerts/${alert.id}/activity`);
      expect(activity.body.items).toEqual([
        expect.objectContaining({
          action: 'jira_unlinked',
          from_status: 'open',
          to_status: 'open',
        }),
        expect.objectContaining({ action: 'jira_linked', note: 'OPS-123', actor: OPERATOR.name }),
      ]);
    });

    it('refuses a malformed Jira key with a 400 naming key', async () => {
      const alert = await seedAlert();
      for (const key of ['ops-1', 'OPS-0', 'OPS123', 'TOOLONGPROJECT-1', 42]) {
        const res = await call('PUT', `/api/v1/alerts/${alert.id}/jira`, { body: { key } });
        expectProblem(res, 400, 'validation');
        expect(res.body.errors).toEqual(
          expect.arrayContaining([{ field: 'key', message: expect.any(String) }]),
        );
      }
    });

    it('refuses a note over 2000 characters and fields it does not know', async () => {
      const alert = await seedAlert();
      const long = await post(`/api/v1/alerts/${alert.id}/acknowledge`, {
        body: { note: 'x'.repeat(2001) },
      });
      expectProblem(long, 400, 'validation');
      expect(long.body.errors).toEqual([{ field: 'note', message: expect.any(String) }]);
      const unknown = await post(`/api/v1/alerts/${alert.id}/acknowledge`, {
        body: { status: 'resolved' },
      });
      expectProblem(unknown, 400, 'validation');
      expect(unknown.body.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
    });

    it('answers 404 to an unknown id and 400 naming id to a malformed one', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectProblem(await get(`/api/v1/alerts/${unknown}`), 404, 'alert-not-found');
      expectProblem(await post(`/api/v1/alerts/${unknown}/resolve`), 404, 'alert-not-found');
      expectProblem(await get(`/api/v1/alerts/${unknown}/occurrences`), 404, 'alert-not-found');
      expectProblem(await get(`/api/v1/alerts/${unknown}/activity`), 404, 'alert-not-found');
      for (const res of [
        await get('/api/v1/alerts/not-a-uuid'),
        await post('/api/v1/alerts/not-a-uuid/acknowledge'),
      ]) {
        expectProblem(res, 400, 'validation');
        expect(res.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
      }
    });

    it('returns the alert with its version as ETag', async () => {
      const alert = await seedAlert({ version: 3, occurrences: 12 });
      const res = await get(`/api/v1/alerts/${alert.id}`);
      expect(res.headers.get('etag')).toBe('"3"');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({
        id: alert.id,
        fingerprint: alert.fingerprint,
        detector: 'price-missing',
        group_labels: alert.group_labels,
        issue_code: 'PRICE_MISSING',
        severity: 'warning',
        suggested_fix: 'Check the price list',
        confidence: 0.9,
        status: 'open',
        occurrences: 12,
        first_seen_at: alert.first_seen_at.toISOString(),
        last_seen_at: alert.last_seen_at.toISOString(),
        last_received_at: expect.any(String),
        reopen_count: 0,
        resolution_reason: null,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
        jira_issue_key: null,
        jira_sync_status: 'none',
        jira_sync_error: null,
        overflow: false,
        folded_fingerprints: 0,
        version: 3,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        raw_log: expect.objectContaining({ error_code: 'PRICE_MISSING' }),
        last_event: expect.objectContaining({ error_code: 'PRICE_MISSING' }),
        metadata: alert.metadata,
      });
    });
  });

  describe('listing', () => {
    it('filters by status (one or several), severity, issue_code, service and q', async () => {
      const service = uniqueService('filters');
      const base = { metadata: { request_id: 'r', service, log_level: 'error' } };
      const open = await seedAlert({ ...base, severity: 'critical' });
      const acked = await seedAlert({ ...base, status: 'acknowledged', issue_code: 'TIMEOUT' });
      const resolved = await seedAlert({ ...base, status: 'resolved', severity: 'info' });
      // Only the group label names the service here (the opening event named another).
      const labelled = await seedAlert({
        group_labels: { service, endpoint: '/pay_now%' },
        issue_code: 'INVALID_ORDER',
      });
      const list = (params: string) => get(`/api/v1/alerts?service=${service}&${params}`);

      expect(new Set(ids(await list('')))).toEqual(
        new Set([open.id, acked.id, resolved.id, labelled.id]),
      );
      expect(ids(await list('status=resolved'))).toEqual([resolved.id]);
      expect(new Set(ids(await list('status=open,acknowledged')))).toEqual(
        new Set([open.id, acked.id, labelled.id]),
      );
      expect(new Set(ids(await list('status=open&status=acknowledged')))).toEqual(
        new Set([open.id, acked.id, labelled.id]),
      );
      expect(ids(await list('severity=critical'))).toEqual([open.id]);
      expect(ids(await list('issue_code=TIMEOUT'))).toEqual([acked.id]);
      expect(ids(await list('q=invalid_ord'))).toEqual([labelled.id]);
      expect(ids(await list('q=PAY_NOW%25'))).toEqual([labelled.id]);
      // % and _ are literal characters, not wildcards.
      expect(ids(await list('q=pay%25now'))).toEqual([]);
      expect(ids(await list('q=pay_now_'))).toEqual([]);
      expect(ids(await get(`/api/v1/alerts?q=${service}`))).toHaveLength(4);
    });

    it('filters on last_seen_at with since (inclusive) and until (exclusive)', async () => {
      const service = uniqueService('window');
      const metadata = { request_id: 'r', service, log_level: 'error' };
      const old = await seedAlert({ metadata, last_seen_at: new Date('2024-01-01T00:00:00Z') });
      const recent = await seedAlert({ metadata, last_seen_at: new Date('2024-01-02T00:00:00Z') });
      const list = (params: string) => get(`/api/v1/alerts?service=${service}&${params}`);
      expect(ids(await list('since=2024-01-02T00:00:00Z'))).toEqual([recent.id]);
      expect(ids(await list('until=2024-01-02T00:00:00Z'))).toEqual([old.id]);
    });

    it('refuses unknown parameters and values out of range, naming them', async () => {
      for (const [params, field] of [
        ['status=closed', 'status'],
        ['severity=fatal', 'severity'],
        ['limit=201', 'limit'],
        ['limit=0', 'limit'],
        ['sort=created_at', 'sort'],
        ['order=up', 'order'],
        ['since=yesterday', 'since'],
        ['colour=red', 'colour'],
      ]) {
        const res = await get(`/api/v1/alerts?${params}`);
        expectProblem(res, 400, 'validation');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('pages with an opaque cursor, never repeating or skipping rows while alerts are added', async () => {
      const service = uniqueService('pages');
      const metadata = { request_id: 'r', service, log_level: 'error' };
      // Ten alerts, two of them sharing a last_seen_at (ties are broken by id).
      const now = Date.now();
      const times = [1, 2, 3, 4, 5, 5, 6, 7, 8, 9].map((m) => new Date(now - m * 60_000));
      const originals = await Promise.all(
        times.map((t) => seedAlert({ metadata, last_seen_at: t })),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Reply = await get(
          `/api/v1/alerts?service=${service}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...ids(res));
        cursor = res.body.next_cursor;
        pages += 1;
        // Newer and older alerts arrive between page requests.
        await seedAlert({ metadata, last_seen_at: new Date() });
        await seedAlert({ metadata, last_seen_at: minutesAgo(0.5) });
        await seedAlert({ metadata, last_seen_at: minutesAgo(20) });
      } while (cursor && pages < 20);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(originals.map((a) => a.id)));
      const expectedOrder = [...originals]
        .sort(
          (a, b) => b.last_seen_at.getTime() - a.last_seen_at.getTime() || (b.id > a.id ? 1 : -1),
        )
        .map((a) => a.id);
      expect(seen.filter((id) => expectedOrder.includes(id))).toEqual(expectedOrder);
    });

    it('sorts by occurrences in either order, paging through ties', async () => {
      const service = uniqueService('sort');
      const metadata = { request_id: 'r', service, log_level: 'error' };
      const counts = [5, 500, 50, 50, 1];
      const alerts = await Promise.all(
        counts.map((occurrences) => seedAlert({ metadata, occurrences })),
      );
      const collect = async (order: string) => {
        const all: Array<{ id: string; occurrences: number }> = [];
        let cursor: string | null = null;
        do {
          const res: Reply = await get(
            `/api/v1/alerts?service=${service}&sort=occurrences&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
          all.push(...res.body.items);
          cursor = res.body.next_cursor;
        } while (cursor);
        return all;
      };
      const desc = await collect('desc');
      expect(desc.map((a) => a.occurrences)).toEqual([500, 50, 50, 5, 1]);
      const asc = await collect('asc');
      expect(asc.map((a) => a.occurrences)).toEqual([1, 5, 50, 50, 500]);
      expect(new Set(asc.map((a) => a.id))).toEqual(new Set(alerts.map((a) => a.id)));
    });

    it('refuses a tampered cursor, and one from another sort order (400 naming cursor)', async () => {
      const service = uniqueService('cursor');
      const metadata = { request_id: 'r', service, log_level: 'error' };
      await Promise.all([1, 2, 3].map(() => seedAlert({ metadata })));
      const first = await get(`/api/v1/alerts?service=${service}&limit=1`);
      const cursor: string = first.body.next_cursor;
      const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      const tampered = [
        'not-a-cursor',
        Buffer.from(JSON.stringify({ ...payload, k: "1'; DROP TABLE alerts; --" })).toString(
          'base64url',
        ),
        Buffer.from(JSON.stringify({ ...payload, i: 'x' })).toString('base64url'),
      ];
      for (const bad of tampered) {
        const res = await get(`/api/v1/alerts?service=${service}&cursor=${bad}`);
        expectProblem(res, 400, 'validation');
        expect(res.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
      }
      const otherOrder = await get(`/api/v1/alerts?service=${service}&order=asc&cursor=${cursor}`);
      expectProblem(otherOrder, 400, 'validation');
    });
  });

  describe('occurrences, activity and summary', () => {
    it('lists occurrences newest first, paging through equal event times', async () => {
      const alert = await seedAlert();
      const tie = minutesAgo(3);
      const times = [minutesAgo(5), tie, tie, tie, minutesAgo(1)];
      await seedOccurrences(alert.id, times);
      const other = await seedAlert();
      await seedOccurrences(other.id, [minutesAgo(2)]);

      const seen: Array<{ event_id: string; event_time: string }> = [];
      let cursor: string | null = null;
      do {
        const res: Reply = await get(
          `/api/v1/alerts/${alert.id}/occurrences?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.items);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen.map((o) => o.event_id)).size).toBe(5);
      const eventTimes = seen.map((o) => Date.parse(o.event_time));
      expect(eventTimes).toEqual([...eventTimes].sort((a, b) => b - a));
      expect(seen[0]).toMatchObject({
        source_topic: 'pos-logs',
        source_partition: 0,
        source_offset: expect.any(String),
        received_at: expect.any(String),
        event: expect.any(Object),
      });
    });

    it('pages through activity', async () => {
      const alert = await seedAlert();
      const path = `/api/v1/alerts/${alert.id}`;
      for (const step of ['acknowledge', 'resolve', 'reopen', 'resolve']) {
        expect((await post(`${path}/${step}`)).status).toBe(200);
      }
      const first = await get(`${path}/activity?limit=3`);
      expect(first.body.items.map((a: { action: string }) => a.action)).toEqual([
        'resolved',
        'reopened',
        'resolved',
      ]);
      const second = await get(`${path}/activity?limit=3&cursor=${first.body.next_cursor}`);
      expect(second.body.items.map((a: { action: string }) => a.action)).toEqual(['acknowledged']);
      expect(second.body.next_cursor).toBeNull();
    });

    it('summarises alerts by status and severity, and occurrences per minute for an hour', async () => {
      const before = await get('/api/v1/alerts/summary', { token: VIEWER.token });
      expect(before.status).toBe(200);
      const alert = await seedAlert({ severity: 'critical', status: 'acknowledged' });
      // 30 minutes ago: far from the minutes a concurrently running spec writes into.
      const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000);
      await seedOccurrences(alert.id, [minute, new Date(minute.getTime() + 59_000)]);
      const after = await get('/api/v1/alerts/summary', { token: VIEWER.token });

      for (const status of ['open', 'acknowledged', 'resolved']) {
        expect(Object.keys(after.body.counts[status]).sort()).toEqual([
          'critical',
          'info',
          'warning',
        ]);
      }
      expect(after.body.counts.acknowledged.critical).toBe(
        before.body.counts.acknowledged.critical + 1,
      );
      const buckets: Array<{ minute: string; count: number }> = after.body.occurrences_per_minute;
      expect(buckets).toHaveLength(60);
      const starts = buckets.map((b) => Date.parse(b.minute));
      starts.forEach((start, i) => i > 0 && expect(start - starts[i - 1]).toBe(60_000));
      expect(starts[59]).toBeLessThanOrEqual(Date.now());
      expect(Date.now() - starts[59]).toBeLessThan(120_000);
      const bucket = (res: Reply) =>
        res.body.occurrences_per_minute.find(
          (b: { minute: string }) => Date.parse(b.minute) === minute.getTime(),
        )?.count;
      expect(bucket(after)).toBe((bucket(before) ?? 0) + 2);
    });
  });

  describe('errors and the rest of the HTTP port', () => {
    it('answers unknown paths with a problem+json 404', async () => {
      expectProblem(await get('/nope', { token: null }), 404, 'not-found');
      expectProblem(await get('/api/v1/nope'), 404, 'not-found');
      expectProblem(await call('PATCH', '/api/v1/alerts'), 404, 'not-found');
    });

    it('answers a malformed JSON body with a problem+json 400', async () => {
      const alert = await seedAlert();
      const res = await post(`/api/v1/alerts/${alert.id}/acknowledge`, { body: '{"note": ' });
      expectProblem(res, 400, 'bad-request');
    });

    it('leaves the probes and metrics as they were: unauthenticated, terminus and Prometheus bodies', async () => {
      const health = await get('/health', { token: null });
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
      // No consumer in this process: readiness is down, and says so in terminus' own shape.
      const readiness = await get('/readiness', { token: null });
      expect(readiness.status).toBe(503);
      expect(readiness.headers.get('content-type')).toMatch(/^application\/json/);
      expect(readiness.body).toMatchObject({
        status: 'error',
        details: { kafka: { status: 'down' }, database: { status: 'up' } },
      });
      const metrics = await get('/metrics', { token: null });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('# TYPE');
    });

    it('serves the OpenAPI document and its UI', async () => {
      const doc = await get('/api/docs-json', { token: null });
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths).sort()).toEqual([
        '/api/v1/alerts',
        '/api/v1/alerts/summary',
        '/api/v1/alerts/{id}',
        '/api/v1/alerts/{id}/acknowledge',
        '/api/v1/alerts/{id}/activity',
        '/api/v1/alerts/{id}/jira',
        '/api/v1/alerts/{id}/jira/create',
        '/api/v1/alerts/{id}/jira/retry',
        '/api/v1/alerts/{id}/occurrences',
        '/api/v1/alerts/{id}/reopen',
        '/api/v1/alerts/{id}/resolve',
      ]);
      expect(doc.body.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(doc.body.components.schemas.AlertDto.properties).toHaveProperty('last_seen_at');
      expect(doc.body.components.schemas.JiraLinkBody.properties.key.pattern).toBeDefined();
      const ui = await get('/api/docs', { token: null });
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
    });

    it('never logged a token', () => {
      const logs = api.logs.join('\n');
      for (const { token } of [OPERATOR, OPERATOR_2, VIEWER]) expect(logs).not.toContain(token);
    });
  });
});

describe('alerts API rate limit', () => {
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp({ API_TOKENS: TOKENS, API_RATE_LIMIT_PER_MINUTE: '3' });
  });

  afterAll(async () => {
    await api?.close();
    await closeDatabase();
  });

  const list = (token?: string) =>
    fetch(api.url('/api/v1/alerts?limit=1'), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers 429 with Retry-After once a token used its budget, across routes', async () => {
    expect((await list(OPERATOR.token)).status).toBe(200);
    expect(
      (
        await fetch(api.url('/api/v1/alerts/summary'), {
          headers: { authorization: `Bearer ${OPERATOR.token}` },
        })
      ).status,
    ).toBe(200);
    expect((await list(OPERATOR.token)).status).toBe(200);
    const limited = await list(OPERATOR.token);
    const text = await limited.text();
    expectProblem(
      { status: limited.status, headers: limited.headers, body: JSON.parse(text), text },
      429,
      'rate-limited',
    );
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The budget is per token: another token is unaffected.
    expect((await list(VIEWER.token)).status).toBe(200);
  });

  it('limits requests without a valid token by client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await list('not-a-token')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
