import { spawn, StdioOptions } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JiraRequest, matchOperation } from '../jira/operations';
import { StubMapping } from '../jira/scenarios';
import { ROOT } from './infra';
import { freePort } from './service';

export { assertContracts } from '../jira/contracts';
export { adfDoc, commentBody, createIssueBody } from '../jira/request-bodies';
export {
  createAnswersAfter,
  JIRA_SCENARIOS,
  jiraDown,
  noReopenTransition,
  projectNotFound,
  rateLimitedOnce,
} from '../jira/scenarios';
export type { ExistingIssue, StubMapping } from '../jira/scenarios';
export type { JiraFlavour, JiraRequest } from '../jira/operations';

/** WireMock's root: mappings/ (the default Jira answers) and __files/ (their bodies). */
export const JIRA_ROOT = join(ROOT, 'test/jira');
const WIREMOCK_CLI = join(ROOT, 'node_modules/wiremock/index.js');
// A stub server needs little: a small heap and the quick JIT keep it off the other JVMs' cores.
const JVM_OPTIONS = '-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';
const START_TIMEOUT_MS = 60_000;

export interface RequestFilter {
  method?: string;
  /** Regular expression that must match the whole path, as WireMock's `urlPathPattern`. */
  urlPathPattern?: string;
}

/** Talks to a running double through WireMock's admin API. */
export interface JiraAdmin {
  readonly url: string;
  /** Back to the stubs in test/jira/mappings: runtime stubs, journal and scenario states go. */
  reset(): Promise<void>;
  /** Requests received so far, oldest first. */
  requests(filter?: RequestFilter): Promise<JiraRequest[]>;
  /** Adds a stub and returns its id. */
  stub(mapping: StubMapping): Promise<string>;
  stubAll(mappings: readonly StubMapping[]): Promise<string[]>;
  removeStub(id: string): Promise<void>;
  setScenarioState(name: string, state: string): Promise<void>;
  /** Create-issue requests (either flavour) that were answered 201. */
  createdIssues(): Promise<number>;
}

export interface JiraDouble extends JiraAdmin {
  readonly port: number;
  /** Process group of the WireMock launcher and its JVM. */
  readonly pid: number;
  stop(): Promise<void>;
}

interface ServeEvent {
  request: {
    url: string;
    method: string;
    headers?: Record<string, string | string[]>;
    body?: string;
    loggedDate: number;
  };
  response?: { status?: number };
  responseDefinition?: { status?: number; fault?: string };
}

export function connectJiraDouble(url: string): JiraAdmin {
  const admin = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${url}/__admin${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`WireMock ${method} /__admin${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  const requests = async (filter: RequestFilter = {}): Promise<JiraRequest[]> => {
    const { requests: events } = (await admin('GET', '/requests')) as { requests: ServeEvent[] };
    const pathPattern = filter.urlPathPattern && new RegExp(`^(?:${filter.urlPathPattern})$`);
    return events
      .sort((a, b) => a.request.loggedDate - b.request.loggedDate)
      .map(toJiraRequest)
      .filter((r) => !filter.method || r.method === filter.method.toUpperCase())
      .filter((r) => !pathPattern || pathPattern.test(r.path));
  };

  const stub = async (mapping: StubMapping): Promise<string> =>
    ((await admin('POST', '/mappings', mapping)) as { id: string }).id;

  return {
    url,
    // Also restores the mappings from files and resets scenarios (checked on WireMock 3.13).
    reset: () => admin('POST', '/reset'),
    requests,
    stub,
    async stubAll(mappings) {
      const ids: string[] = [];
      for (const mapping of mappings) ids.push(await stub(mapping));
      return ids;
    },
    removeStub: (id) => admin('DELETE', `/mappings/${encodeURIComponent(id)}`),
    setScenarioState: (name, state) =>
      admin('PUT', `/scenarios/${encodeURIComponent(name)}/state`, { state }),
    async createdIssues() {
      const all = await requests();
      return all.filter(
        (r) => r.status === 201 && matchOperation(r.method, r.path)?.name === 'createIssue',
      ).length;
    },
  };
}

function toJiraRequest({ request, response, responseDefinition }: ServeEvent): JiraRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {}))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  let body: unknown = request.body || undefined;
  try {
    if (typeof body === 'string') body = JSON.parse(body);
  } catch {
    // not JSON: keep the text, the contract check reports it
  }
  const status = responseDefinition?.fault
    ? undefined
    : (response?.status ?? responseDefinition?.status);
  return {
    method: request.method,
    url: request.url,
    path: request.url.split('?')[0],
    headers,
    body,
    status,
  };
}

/**
 * Starts WireMock with test/jira as its root on a free port (or `port`) and resolves once its admin
 * API answers. Output goes to `logFile` when given (the process then does not hold jest open);
 * otherwise it is kept for the error message if WireMock fails to start.
 */
export async function startJiraDouble(
  options: { port?: number; logFile?: string } = {},
): Promise<JiraDouble> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(port, options.logFile);
    } catch (err) {
      // Another process may take a port between freePort() and WireMock binding it.
      if (options.port !== undefined || attempt === 3) throw err;
    }
  }
}

async function launch(port: number, logFile: string | undefined): Promise<JiraDouble> {
  const url = `http://127.0.0.1:${port}`;
  if (await healthy(url)) throw new Error(`something already answers on ${url}`);
  let stdio: StdioOptions = ['ignore', 'pipe', 'pipe'];
  let logFd: number | undefined;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, 'a');
    stdio = ['ignore', logFd, logFd];
  }
  const javaOptions = [process.env.JAVA_TOOL_OPTIONS, JVM_OPTIONS].filter(Boolean).join(' ');
  // Its own process group: the npm launcher does not pass signals on to the JVM it starts.
  const child = spawn(
    process.execPath,
    [
      WIREMOCK_CLI,
      '--port',
      String(port),
      '--bind-address',
      '127.0.0.1',
      '--root-dir',
      JIRA_ROOT,
      '--disable-banner',
    ],
    { detached: true, stdio, env: { ...process.env, JAVA_TOOL_OPTIONS: javaOptions } },
  );
  if (logFd !== undefined) closeSync(logFd);
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  if (logFile) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${WIREMOCK_CLI}`);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await healthy(url))) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stopProcessGroup(pid);
      const tail = logFile ? `see ${logFile}` : output.join('').slice(-2000);
      throw new Error(`WireMock did not start on ${url}: ${tail}`);
    }
    await sleep(100);
  }
  return {
    ...connectJiraDouble(url),
    port,
    pid,
    stop: () => stopProcessGroup(pid),
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/__admin/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the group is gone. */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  };
  if (!signal('SIGTERM')) return;
  const killAt = Date.now() + graceMs;
  const giveUpAt = killAt + 5_000;
  while (signal(0)) {
    if (Date.now() > giveUpAt) throw new Error(`process group ${pid} survived SIGKILL`);
    if (Date.now() > killAt) signal('SIGKILL');
    await sleep(50);
  }
}
