import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { BROKERS } from './bench-env';

const ROOT = join(__dirname, '..', '..');

/**
 * The node flags of `npm start` (heap cap, heap growth), so every process the bench measures
 * runs as deployed; V8 flags such as --heap-growing-percent are refused in NODE_OPTIONS.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((token) => token.startsWith('--'));
}

export function spawnNode(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...startFlags(), join(ROOT, script)], {
    env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: BROKERS.join(','), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function query<T extends object>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export function serviceEnv(
  databaseUrl: string,
  topic: string,
  group: string,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    KAFKA_GROUP_ID: group,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    RUN_MIGRATIONS: 'false',
    // Node flags come from `npm start` (see spawnNode); these are for experiments on top.
    ...(process.env.BENCH_SERVICE_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS }
      : {}),
    ...serviceSettings(process.env.BENCH_SERVICE_ENV),
  };
}

/** BENCH_SERVICE_ENV="KAFKA_FETCH_AHEAD=false,..." compares a setting within one machine's noise. */
function serviceSettings(list: string | undefined): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of (list ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`BENCH_SERVICE_ENV: expected KEY=VALUE, got "${pair}"`);
    settings[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return settings;
}
