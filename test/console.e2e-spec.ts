import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { LogEvent } from '../src/events/log-event.dto';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import {
  fetchInPage,
  launchChromium,
  openPage,
  PageRecord,
  rows,
  signIn,
  textOf,
} from './support/console-browser';
import { eventually } from './support/eventually';
import { ROOT } from './support/infra';
import { createTopics, produce } from './support/kafka';
import { ServiceProcess, startService } from './support/service';

const OPERATOR = { name: 'olivia', token: 'console-operator-token-0001' };
const OPERATOR_2 = { name: 'oscar', token: 'console-operator-token-0002' };
const VIEWER = { name: 'vera', token: 'console-viewer-token-000001' };
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

describe('triage console (/ui) in Chromium, against the real service, broker and database', () => {
  let service: ServiceProcess;
  let topic: string;
  let browser: Browser;
  const opened: PageRecord[] = [];
  /** In every service name of this run: the database is shared by all specs of a run. */
  const run = randomUUID().slice(0, 6);
  const serviceName = (label: string) => `${label}-${run}`;

  beforeAll(async () => {
    const topics = await createTopics(1);
    topic = topics.topic;
    service = await startService({
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
      LOG_LEVEL: 'info',
      API_TOKENS: [OPERATOR, OPERATOR_2, VIEWER]
        .map((t) => `${t.name}:${t === VIEWER ? 'viewer' : 'operator'}:${t.token}`)
        .join(','),
      API_RATE_LIMIT_PER_MINUTE: '100000',
    });
    await service.waitReady();
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const record of opened.splice(0)) {
      expect(record.errors).toEqual([]);
      await record.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await closeClients();
  });

  const base = () => service.url('').replace(/\/$/, '');

  async function open(viewport?: { width: number; height: number }): Promise<PageRecord> {
    const record = await openPage(browser, viewport);
    opened.push(record);
    return record;
  }

  async function send(events: LogEvent[]): Promise<void> {
    await produce(
      topic,
      events.map((e) => ({ key: e.request_id, value: encode(e) })),
    );
  }

  /** The alerts API as another client would call it (curl, a bot): a bearer token. */
  async function api(method: string, path: string, token = OPERATOR_2.token, headers = {}) {
    const res = await fetch(service.url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** The alerts of one service, once `count` of them exist. */
  async function alertsOf(svc: string, count: number): Promise<any[]> {
    return eventually(async () => {
      const { body } = await api('GET', `/api/v1/alerts?service=${encodeURIComponent(svc)}`);
      if (body.items.length < count) throw new Error(`${body.items.length} of ${count} alerts`);
      return body.items;
    });
  }

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  it('serves the page with strict security headers, no source maps, and under 200 KB of JS and CSS', async () => {
    const res = await fetch(service.url('/ui'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);

    const { page, cspViolations } = await open();
    const assets: Array<Promise<{ path: string; bytes: number; headers: Record<string, string> }>> =
      [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/ui/') && /\.(js|css)$/.test(path)) {
        assets.push(
          response.body().then((body) => ({
            path,
            bytes: body.length,
            headers: response.headers(),
          })),
        );
      }
    });
    await page.goto(`${base()}/ui`);
    await page.locator('#token').waitFor();
    const loaded = await Promise.all(assets);
    const bytes = loaded.reduce((sum, a) => sum + a.bytes, 0);
    expect(loaded.map((a) => a.path.split('.').pop()).sort()).toEqual(['css', 'js']);
    expect(bytes).toBeLessThan(200 * 1024);
    for (const asset of loaded) {
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-security-policy']).toBe(CSP);
    }

    const built = readdirSync(join(ROOT, 'dist/ui/assets'));
    expect(built.filter((name) => name.endsWith('.map'))).toEqual([]);
    for (const name of built) {
      const text = readFileSync(join(ROOT, 'dist/ui/assets', name), 'utf8');
      expect(text).not.toContain('sourceMappingURL');
      expect(text).not.toContain(OPERATOR.token);
    }
    expect((await fetch(service.url('/ui/assets/app.js.map'))).status).toBe(404);
    expect(await cspViolations()).toEqual([]);
  });

  it('signs in with a token into an HttpOnly, SameSite=Strict session, and signs out', async () => {
    const { page, context } = await open();
    await page.goto(`${base()}/ui`);
    await page.locator('#token').fill('not-a-token-at-all-000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textOf(page.locator('.card .error'), 'That token is not valid.');

    await signIn(page, base(), OPERATOR.token);
    await textOf(page.locator('.who-name'), OPERATOR.name);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'stacklens_session',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: false, // plain http here; Secure is set when the console is reached over https
    });
    expect(cookie.value).not.toContain(OPERATOR.token);
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.reload();
    await textOf(page.locator('.who-name'), OPERATOR.name);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#token').waitFor();
    expect(await context.cookies()).toEqual([]);
    expect((await fetchInPage(page, 'GET', '/api/v1/alerts')).status).toBe(401);
  });

  it('shows alerts as events arrive, open first, with counts and the chart of the last hour', async () => {
    const { page, paths } = await open({ width: 1280, height: 600 });
    await signIn(page, base(), OPERATOR.token);
    const q = `store-${run}`;
    await page.goto(`${base()}/ui?q=${q}`);
    await textOf(page.locator('.list-foot'), 'No alerts match these filters.');

    const berlin = `${q}-berlin`;
    const lisbon = `${q}-lisbon`;
    const events = [
      ...[5, 4, 3, 2, 1].map((m) =>
        logEvent({
          service: berlin,
          error_code: 'PRICE_MISSING',
          product_id: 'sku-4411',
          timestamp: minutesAgo(m),
        }),
      ),
      ...[3, 1].map((m) =>
        logEvent({
          service: lisbon,
          error_code: 'PRICE_MISSING',
          product_id: 'sku-9002',
          timestamp: minutesAgo(m),
        }),
      ),
      logEvent({ service: berlin, error_code: 'DATABASE_TIMEOUT', timestamp: minutesAgo(7) }),
      logEvent({
        service: lisbon,
        error_code: 'INVALID_ORDER',
        endpoint: '/orders',
        timestamp: minutesAgo(2),
      }),
      ...[6, 4, 2].map((m) =>
        logEvent({
          service: lisbon,
          error_code: 'TIMEOUT',
          endpoint: '/payments',
          timestamp: minutesAgo(m),
        }),
      ),
    ];
    await send(events);
    await eventually(async () => expect(await rows(page).count()).toBe(5));

    // Open first, then by severity: another client acknowledges one of the critical ones.
    const [lisbonPrice] = (await alertsOf(lisbon, 3)).filter(
      (a) => a.issue_code === 'PRICE_MISSING',
    );
    expect((await api('POST', `/api/v1/alerts/${lisbonPrice.id}/acknowledge`)).status).toBe(200);
    await textOf(rows(page).last(), 'acknowledged');
    const order = await rows(page).evaluateAll((items) =>
      items.map((li) => [
        li.querySelector('.status')!.textContent,
        li.querySelector('.sev')!.textContent,
      ]),
    );
    expect(order).toEqual([
      ['open', 'critical'],
      ['open', 'critical'],
      ['open', 'warning'],
      ['open', 'info'],
      ['acknowledged', 'critical'],
    ]);

    // New occurrences change the count in place, without a reload.
    const berlinRow = rows(page).filter({ hasText: 'sku-4411' });
    await textOf(berlinRow.locator('.num'), /^5$/);
    await send([
      logEvent({ service: berlin, error_code: 'PRICE_MISSING', product_id: 'sku-4411' }),
    ]);
    await textOf(berlinRow.locator('.num'), /^6$/);

    await eventually(async () =>
      expect(Number(await page.getByTestId('open-critical').innerText())).toBeGreaterThanOrEqual(2),
    );
    await page.locator('.minute-chart canvas').waitFor();
    const firstSeen = berlinRow.locator('.c-first time');
    expect(await firstSeen.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(await firstSeen.innerText()).toMatch(/ago$/);

    // Only the console's own files, its session and the public alerts API.
    expect(
      paths.filter((p) => !/^\/(ui(\/assets\/.+|\/session)?|api\/v1\/alerts.*)$/.test(p)),
    ).toEqual([]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('input[name=q]').blur();
    await page.screenshot({ path: join(SCREENSHOTS, 'alert-list.png') });
  });

  it('filters by status, severity, issue code, service and text, and keeps the filters in the URL', async () => {
    const { page, context } = await open();
    await signIn(page, base(), OPERATOR.token);
    const a = serviceName('filters-a');
    const b = serviceName('filters-b');
    await send([
      logEvent({ service: a, error_code: 'PRICE_MISSING', product_id: 'p-1' }),
      logEvent({ service: a, error_code: 'TIMEOUT', endpoint: '/pay' }),
      logEvent({ service: a, error_code: 'DATABASE_ERROR' }),
      logEvent({ service: b, error_code: 'PRICE_MISSING', product_id: 'p-2' }),
    ]);
    await alertsOf(a, 3);
    await alertsOf(b, 1);

    await page.locator('input[name=service]').fill(a);
    await eventually(async () => {
      expect(new URL(page.url()).searchParams.get('service')).toBe(a);
      expect(await rows(page).count()).toBe(3);
    });
    await page.locator('select[name=severity]').selectOption('critical');
    await eventually(async () => {
      expect(new URL(page.url()).searchParams.get('severity')).toBe('critical');
      expect(await rows(page).count()).toBe(1);
    });
    await textOf(rows(page).first(), 'PRICE_MISSING');

    await page.locator('select[name=severity]').selectOption('');
    await page.locator('input[name=issue_code]').fill('TIMEOUT');
    await eventually(async () => expect(await rows(page).count()).toBe(1));
    await textOf(rows(page).first(), '/pay');

    await page.locator('input[name=issue_code]').fill('');
    await page.locator('input[name=service]').fill('');
    await page.locator('input[name=q]').fill(`filters-b-${run}`);
    await eventually(async () => expect(await rows(page).count()).toBe(1));
    await textOf(rows(page).first(), 'p-2');

    // Resolved alerts appear with status "all", after the open ones.
    const timeout = (await alertsOf(a, 3)).find((x) => x.issue_code === 'TIMEOUT');
    expect((await api('POST', `/api/v1/alerts/${timeout.id}/resolve`)).status).toBe(200);
    await page.locator('input[name=q]').fill(`filters-a-${run}`);
    await page.locator('select[name=status]').selectOption('all');
    await eventually(async () => expect(await rows(page).count()).toBe(3));
    await textOf(rows(page).last(), 'resolved');

    // A shared link opens the same list.
    const shared = page.url();
    expect(new URL(shared).searchParams.get('status')).toBe('all');
    const other = await context.newPage();
    await other.goto(shared);
    await eventually(async () => expect(await rows(other).count()).toBe(3));
    expect(await other.locator('select[name=status]').inputValue()).toBe('all');
    expect(await other.locator('input[name=q]').inputValue()).toBe(`filters-a-${run}`);
  });

  it('opens an alert, acknowledges and resolves it with a note, and sees it reopen on a new event', async () => {
    const { page } = await open({ width: 1280, height: 1000 });
    await signIn(page, base(), OPERATOR.token);
    const svc = serviceName('pos-checkout');
    const events = [28, 26, 25, 21, 17, 16, 15, 15, 12, 8, 6, 5, 5, 4, 2, 1].map((m, i) =>
      logEvent({
        service: svc,
        error_code: 'PRICE_MISSING',
        product_id: 'sku-2231',
        message: 'Product price is null',
        timestamp: minutesAgo(m + i / 100),
        additional_context: { store_id: 'store-114', terminal: `till-${i % 4}` },
      }),
    );
    await send(events);
    await alertsOf(svc, 1);
    await page.goto(`${base()}/ui?service=${svc}`);
    await rows(page).first().locator('.row-main').click();
    await page.waitForURL(/\/ui\/alerts\/[0-9a-f-]{36}$/);

    await textOf(page.locator('.fix'), 'Check product pricing configuration');
    await textOf(page.locator('.labels-list'), svc);
    await textOf(page.locator('.labels-list'), 'sku-2231');
    await textOf(page.locator('.facts'), '16 occurrences');
    await textOf(page.locator('.event .raw').first(), `"request_id": "${events[15].request_id}"`);
    await textOf(page.locator('.activity'), 'opened');
    await page.locator('.main-col .chart canvas').waitFor();

    await page.locator('#note').fill('price feed from the ERP is late; checking');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await textOf(page.getByTestId('alert-status'), 'acknowledged');
    await textOf(page.locator('.actions .message'), 'Alert acknowledged.');
    await textOf(page.locator('.activity li').first(), 'price feed from the ERP is late');
    await page.screenshot({ path: join(SCREENSHOTS, 'alert-page.png') });

    await page.getByRole('button', { name: 'Resolve' }).click();
    await textOf(page.getByTestId('alert-status'), 'resolved');
    await textOf(page.locator('.facts'), `resolved by ${OPERATOR.name} (manual)`);
    await page.getByRole('button', { name: 'Reopen' }).waitFor();

    await send([logEvent({ service: svc, error_code: 'PRICE_MISSING', product_id: 'sku-2231' })]);
    await textOf(page.getByTestId('alert-status'), 'open');
    await textOf(page.getByTestId('reopen-count'), 'reopened 1×');
    await textOf(page.locator('.activity li').first(), 'reopened');
    await textOf(page.locator('.facts'), '17 occurrences');
    await textOf(page.locator('.newer'), 'Show 1 newer occurrence');
  });

  it('links a Jira key and shows what the service answers to Create ticket', async () => {
    const { page } = await open();
    await signIn(page, base(), OPERATOR.token);
    const svc = serviceName('jira');
    await send([logEvent({ service: svc, error_code: 'INVALID_ORDER', endpoint: '/orders' })]);
    const [alert] = await alertsOf(svc, 1);
    await page.goto(`${base()}/ui/alerts/${alert.id}`);

    await page.locator('#jira-key').fill('ops-4242');
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await textOf(page.getByTestId('jira-key'), 'OPS-4242');
    await textOf(page.locator('.activity li').first(), 'linked a Jira issue');
    expect((await api('GET', `/api/v1/alerts/${alert.id}`)).body.jira_issue_key).toBe('OPS-4242');

    await page.getByRole('button', { name: 'Unlink' }).click();
    await textOf(page.getByTestId('jira-key'), 'No ticket linked.');

    // Whatever the service answers (a ticket, or a problem such as Jira being off), it is shown.
    await page.getByRole('button', { name: 'Create ticket' }).click();
    const answer = await textOf(page.locator('.panel:has(#jira-title) .message'), /\S/);
    expect(answer).not.toMatch(/undefined|\[object/);
  });

  it('shows a viewer no action buttons, and the service refuses their changes anyway', async () => {
    const svc = serviceName('viewer');
    await send([logEvent({ service: svc, error_code: 'PRICE_MISSING', product_id: 'p-7' })]);
    const [alert] = await alertsOf(svc, 1);

    const { page } = await open();
    await signIn(page, base(), VIEWER.token);
    await textOf(page.locator('.who-name'), /viewer/i);
    await page.goto(`${base()}/ui?service=${svc}`);
    await eventually(async () => expect(await rows(page).count()).toBe(1));
    expect(await page.locator('.rows button').count()).toBe(0);
    await rows(page).first().locator('.row-main').click();
    await textOf(page.locator('.fix'), 'Check product pricing configuration');
    await page.locator('.event .raw').first().waitFor();
    const actions = /^(Acknowledge|Resolve|Reopen|Link|Unlink|Create ticket|Retry)$/;
    expect(await page.getByRole('button', { name: actions }).count()).toBe(0);
    expect(await page.locator('#note, #jira-key').count()).toBe(0);
    await page.keyboard.press('a');

    const { body: session } = await fetchInPage(page, 'GET', '/ui/session');
    const refused = await fetchInPage(page, 'POST', `/api/v1/alerts/${alert.id}/acknowledge`, {
      'X-CSRF-Token': session.csrf_token,
    });
    expect(refused).toMatchObject({
      status: 403,
      body: { type: 'https://stacklens.dev/problems/forbidden' },
    });
    expect((await api('GET', `/api/v1/alerts/${alert.id}`)).body.status).toBe('open');
  });

  it('refuses a change made with the session cookie but without its CSRF token', async () => {
    const svc = serviceName('csrf');
    await send([logEvent({ service: svc, error_code: 'TIMEOUT', endpoint: '/x' })]);
    const [alert] = await alertsOf(svc, 1);
    const { page } = await open();
    await signIn(page, base(), OPERATOR.token);

    for (const headers of [{}, { 'X-CSRF-Token': 'forged-token' }] as Array<
      Record<string, string>
    >) {
      const refused = await fetchInPage(
        page,
        'POST',
        `/api/v1/alerts/${alert.id}/acknowledge`,
        headers,
      );
      expect(refused).toMatchObject({
        status: 403,
        body: { type: 'https://stacklens.dev/problems/csrf', status: 403 },
      });
    }
    expect((await api('GET', `/api/v1/alerts/${alert.id}`)).body.status).toBe('open');
    expect((await fetchInPage(page, 'GET', `/api/v1/alerts/${alert.id}`)).status).toBe(200);
  });

  it('explains a conflict when someone else changed the alert in the meantime', async () => {
    const svc = serviceName('conflict');
    await send([logEvent({ service: svc, error_code: 'PRICE_MISSING', product_id: 'p-9' })]);
    const [alert] = await alertsOf(svc, 1);
    const { page } = await open();
    await signIn(page, base(), OPERATOR.token);
    await page.goto(`${base()}/ui/alerts/${alert.id}`);
    await textOf(page.getByTestId('alert-status'), 'open');

    // The page stops hearing about the alert; meanwhile another operator acknowledges it.
    const isAlert = (url: URL) => url.pathname === `/api/v1/alerts/${alert.id}`;
    await page.route(isAlert, (route) =>
      route.request().method() === 'GET' ? route.abort() : route.continue(),
    );
    expect((await api('POST', `/api/v1/alerts/${alert.id}/acknowledge`)).status).toBe(200);

    await page.getByRole('button', { name: 'Resolve' }).click();
    const message = await textOf(page.locator('.actions .message'), 'Someone else changed');
    expect(message).toContain('you saw version 1, it is now version 2');
    expect(message).toContain('Nothing was changed');

    await page.unroute(isAlert);
    await textOf(page.getByTestId('alert-status'), 'acknowledged');
    expect((await api('GET', `/api/v1/alerts/${alert.id}`)).body).toMatchObject({
      status: 'acknowledged',
      acknowledged_by: OPERATOR_2.name,
      version: 2,
    });
  });

  it('renders markup from an event as text, never as markup', async () => {
    const marker = `xss-${run}`;
    const svc = `<img src=x onerror="window.__xss=1">${marker}`;
    await send([
      logEvent({
        service: svc,
        error_code: 'PRICE_MISSING',
        product_id: '"><script>window.__xss=2</script>',
        message: '<script>window.__xss=3</script>',
        additional_context: { note: '<svg onload="window.__xss=4"></svg>' },
      }),
    ]);
    await alertsOf(svc, 1);
    const { page, cspViolations } = await open();
    await signIn(page, base(), OPERATOR.token);
    await page.goto(`${base()}/ui?q=${marker}`);
    await textOf(rows(page).first().locator('.labels'), '<img src=x onerror="window.__xss=1">');
    await rows(page).first().locator('.row-main').click();
    await textOf(page.locator('.event-message').first(), '<script>window.__xss=3</script>');
    await textOf(page.locator('.event .raw').first(), '<svg onload=\\"window.__xss=4\\"></svg>');
    await textOf(page.locator('.labels-list'), '"><script>window.__xss=2</script>');

    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#main img, #main svg, #main script').count()).toBe(0);
    expect(await cspViolations()).toEqual([]);
  });

  it('is driven from the keyboard: j/k move, Enter opens, a and r act, focus is visible', async () => {
    const svc = serviceName('keys');
    await send([
      logEvent({ service: svc, error_code: 'PRICE_MISSING', product_id: 'p-k' }),
      logEvent({ service: svc, error_code: 'DATABASE_ERROR' }),
      logEvent({ service: svc, error_code: 'TIMEOUT', endpoint: '/k' }),
    ]);
    await alertsOf(svc, 3);
    const { page } = await open();
    await signIn(page, base(), OPERATOR.token);
    await page.goto(`${base()}/ui?service=${svc}`);
    await eventually(async () => expect(await rows(page).count()).toBe(3));

    // Strings: these run in the page, and the specs are compiled without DOM types.
    const focused = () =>
      page.evaluate<{ code?: string; visible: boolean }>(`(() => {
        const el = document.activeElement;
        return {
          code: el.querySelector('.code')?.textContent,
          visible: el.matches(':focus-visible') && getComputedStyle(el).outlineStyle !== 'none',
        };
      })()`);
    await page.keyboard.press('j');
    expect(await focused()).toMatchObject({ code: 'PRICE_MISSING', visible: true });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await focused()).toMatchObject({ code: 'TIMEOUT' });
    await page.keyboard.press('k');
    expect(await focused()).toMatchObject({ code: 'DATABASE_ERROR', visible: true });
    expect(await page.locator('.row.selected .code').innerText()).toBe('DATABASE_ERROR');

    await page.keyboard.press('a');
    const database = rows(page).filter({ hasText: 'DATABASE_ERROR' });
    await textOf(database.locator('.status'), 'acknowledged');
    await page.keyboard.press('r');
    await eventually(async () => expect(await rows(page).count()).toBe(2));
    const resolved = (await alertsOf(svc, 3)).find((a) => a.issue_code === 'DATABASE_ERROR');
    expect(resolved.status).toBe('resolved');

    await page.keyboard.press('k');
    await page.keyboard.press('k');
    expect(await focused()).toMatchObject({ code: 'PRICE_MISSING' });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/alerts\//);
    await textOf(page.locator('h1'), 'PRICE_MISSING');
    await page.keyboard.press('a');
    await textOf(page.getByTestId('alert-status'), 'acknowledged');
    await page.keyboard.press('Escape');
    await page.waitForURL(
      (url) => url.pathname === '/ui' && url.searchParams.get('service') === svc,
    );
    await eventually(async () => expect(await rows(page).count()).toBe(2));
  });

  it('fits a phone-width screen, and keeps its layout still while data refreshes', async () => {
    const svc = serviceName('layout');
    await send([
      logEvent({ service: svc, error_code: 'PRICE_MISSING', product_id: 'p-l' }),
      logEvent({ service: svc, error_code: 'TIMEOUT', endpoint: '/l' }),
    ]);
    const [first] = await alertsOf(svc, 2);

    const phone = await open({ width: 390, height: 844 });
    await signIn(phone.page, base(), OPERATOR.token);
    const overflow = () =>
      phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await phone.page.goto(`${base()}/ui?service=${svc}`);
    await eventually(async () => expect(await rows(phone.page).count()).toBe(2));
    expect(await overflow()).toBeLessThanOrEqual(0);
    await phone.page.goto(`${base()}/ui/alerts/${first.id}`);
    await phone.page.locator('.fix').waitFor();
    await phone.page.locator('.event .raw').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await phone.page.locator('button', { hasText: /Acknowledge|Resolve/ }).count()).toBe(2);

    // Layout shifts while the list and an alert refresh with new counts.
    const { page } = await open();
    await signIn(page, base(), OPERATOR.token);
    // Layout shifts not caused by input while the page refreshes, with what moved and where (in
    // the page). Chrome also reports entries whose every source kept its box to the subpixel (seen
    // on the summary bar's counts when a refresh lands): nothing visible moved, so they are left out.
    const watchShifts = () =>
      page.evaluate(`(() => {
        window.__shifts = [];
        const box = (r) => [r.x, r.y, r.width, r.height].map((n) => n.toFixed(2)).join(',');
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (entry.hadRecentInput) continue;
            const moved = entry.sources
              .filter((s) => box(s.previousRect) !== box(s.currentRect))
              .map((s) => (s.node ? s.node.className ||
                  s.node.nodeName + ' ' + JSON.stringify((s.node.textContent || '').slice(0, 24)) : '?') +
                ' ' + box(s.previousRect) + ' > ' + box(s.currentRect));
            if (moved.length > 0) window.__shifts.push(entry.value.toFixed(4) + ' ' + moved.join('; '));
          }
        }).observe({ type: 'layout-shift' });
      })()`);
    const shifted = () => page.evaluate<string[]>('window.__shifts');
    const oneMore = async () => {
      const { occurrences } = (await api('GET', `/api/v1/alerts/${first.id}`)).body;
      await send([
        logEvent({ service: svc, error_code: first.issue_code, product_id: 'p-l', endpoint: '/l' }),
      ]);
      return String(occurrences + 1);
    };

    // The page's clock is ours: each step starts it at the real time and moves it on by a minute
    // while we watch, so every relative time ages ("a few seconds ago" to "a minute ago") on a
    // fast machine as on a slow one.
    await page.clock.install();
    await page.goto(`${base()}/ui?service=${svc}`);
    await eventually(async () => expect(await rows(page).count()).toBe(2));
    await watchShifts();
    await page.clock.fastForward('01:00');
    await textOf(page.locator(`[data-id="${first.id}"] .num`), await oneMore());
    expect(await shifted()).toEqual([]);

    await page.clock.setSystemTime(new Date());
    await page.goto(`${base()}/ui/alerts/${first.id}`);
    await page.locator('.event .raw').first().waitFor();
    await page.locator('.main-col .chart canvas').waitFor();
    await watchShifts();
    await page.clock.fastForward('01:00');
    await textOf(page.locator('.facts strong'), await oneMore());
    await textOf(page.locator('.newer'), 'Show 1 newer occurrence');
    expect(await shifted()).toEqual([]);
  });
});
