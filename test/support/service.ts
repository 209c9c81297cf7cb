import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { eventually } from './eventually';
import { KAFKA_BROKERS, ROOT, testDatabaseUrl } from './infra';

export interface ServiceProcess {
  port: number;
  /** Every JSON line the service printed so far (stdout and stderr). */
  lines: string[];
  url(path: string): string;
  waitReady(timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/**
 * Runs the built service (dist/src/main.js, built by `npm test`'s pretest) as a real process,
 * configured only through environment variables, exactly as it is deployed.
 */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS,
      DATABASE_URL: testDatabaseUrl(),
      RUN_MIGRATIONS: 'false',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'debug',
      DATABASE_RETRY_MAX_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // To read a failed run's service output afterwards: STACKLENS_TEST_LOG_DIR=/some/dir npx jest ...
  const logDir = process.env.STACKLENS_TEST_LOG_DIR;
  if (logDir) {
    mkdirSync(logDir, { recursive: true });
    const file = createWriteStream(join(logDir, `service-${Date.now()}-${child.pid}.log`));
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.once('close', () => file.end());
  }
  // 'close', not 'exit': only then has everything the process printed been read.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  return {
    port,
    lines,
    url,
    exited,
    async waitReady(timeoutMs = 60_000) {
      await eventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`service exited: ${lines.slice(-5).join('\n')}`);
          const res = await fetch(url('/readiness'));
          if (res.status !== 200) throw new Error(`readiness ${res.status}: ${await res.text()}`);
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Parsed log lines, skipping anything that is not JSON. */
export function logRecords(service: ServiceProcess): Array<Record<string, unknown>> {
  return service.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
