import { existsSync } from 'node:fs';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { eventually } from './eventually';

/** Debian's Chromium; .ci/run installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Quiet, reproducible headless runs: no sandbox (containers), GPU, updates or sync. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One browser per spec file; launch() gives it a fresh temporary user-data-dir of its own. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the console specs drive a real Chromium. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does so when it is missing).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What a page did that a spec may want to assert on. */
export interface PageRecord {
  page: Page;
  context: BrowserContext;
  /** Every request path the page made (to check it only uses /ui and the public API). */
  paths: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations(): Promise<string[]>;
}

/** A fresh context (own cookies) and page, recording requests, errors and CSP violations. */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<PageRecord> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(20_000);
  // Injected by the browser, not the page, so the page's CSP does not apply to it. A string:
  // it runs in the page, and the specs are compiled without DOM types.
  await context.addInitScript(`
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
  const page = await context.newPage();
  const paths: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => paths.push(new URL(request.url()).pathname));
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    page,
    context,
    paths,
    errors,
    cspViolations: () => page.evaluate<string[]>('window.__csp'),
  };
}

/** Signs in through the form, as a person would, and waits for the console. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/ui`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.topbar').waitFor();
}

/** Waits until the locator's text matches. */
export async function textOf(locator: Locator, expected: string | RegExp): Promise<string> {
  return eventually(async () => {
    const text = (await locator.innerText()).trim();
    const ok = typeof expected === 'string' ? text.includes(expected) : expected.test(text);
    if (!ok) throw new Error(`text is ${JSON.stringify(text)}, waiting for ${String(expected)}`);
    return text;
  });
}

/** The rows of the alert list, top to bottom. */
export function rows(page: Page): Locator {
  return page.locator('.rows > li');
}

/** A request from the page itself: same origin, its session cookie, an optional CSRF header. */
export function fetchInPage(
  page: Page,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, path, headers }) => {
      const res = await fetch(path, { method, headers, credentials: 'same-origin' });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, headers },
  );
}
