import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { KAFKA_BROKERS, ROOT } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';

afterAll(closeClients);

interface ReplayRun {
  code: number | null;
  stdout: string;
  summary: { replayed: number; skipped: number; replayedAgainNextRun: number };
}

/**
 * Runs `npm run dlq:replay` as operators do (ts-node, env only) and waits for it to exit by
 * itself: a replay that does not end when it has caught up fails here instead of hanging.
 */
async function runReplay(dlq: string, args: string[], exitWithinMs = 60_000): Promise<ReplayRun> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(ROOT, 'scripts/replay-dead-letters.ts'),
      ...args,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS, KAFKA_DLQ_TOPIC: dlq },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), exitWithinMs);
  const code = await new Promise<number | null>((resolve) =>
    child.once('close', (exitCode) => resolve(exitCode)),
  );
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(
      `dlq:replay ${args.join(' ')} exited ${code ?? `by SIGKILL: still running after ${exitWithinMs} ms`}\n` +
        `stdout: ${stdout}\nstderr: ${stderr}`,
    );
  const last = stdout.trim().split('\n').pop() ?? '';
  return { code, stdout, summary: JSON.parse(last) };
}

/**
 * A message as the service dead-letters it: original key, value and headers plus dlq.*. The header
 * names are spelled out: operators' tooling depends on them, so renaming one should fail here.
 */
function deadLetter(sourceTopic: string, reason: string): Message {
  const event = logEvent();
  return {
    key: event.request_id,
    value: encode(event),
    headers: {
      traceparent: `00-${randomUUID().replace(/-/g, '')}-0000000000000001-01`,
      'dlq.reason': reason,
      'dlq.error': `rejected as ${reason}`,
      'dlq.source.topic': sourceTopic,
      'dlq.source.partition': '0',
      'dlq.source.offset': '0',
      'dlq.failed.at': new Date().toISOString(),
    },
  };
}

const committed = async (group: string, dlq: string) =>
  (await committedOffsets(group, dlq)).get(0) ?? -1n;

it('replays one reason, keeps the others for a later run, and ends once caught up', async () => {
  const { topic, dlq, group } = await createTopics(1);
  const [a1, b, a2] = [
    deadLetter(topic, 'SCHEMA_VIOLATION'),
    deadLetter(topic, 'INVALID_JSON'),
    deadLetter(topic, 'SCHEMA_VIOLATION'),
  ];
  await produce(dlq, [a1, b, a2]);

  const filtered = await runReplay(dlq, ['--reason', 'SCHEMA_VIOLATION', '--group', group]);
  expect(filtered.summary).toMatchObject({ replayed: 2, skipped: 1, replayedAgainNextRun: 1 });
  expect(filtered.stdout).toMatch(/replayed 2 message\(s\).*skipped 1/);
  // Never committed past the skipped message: the next run starts at it.
  expect(await committed(group, dlq)).toBe(1n);
  const replayed = await readAll(topic, 2);
  expect(replayed.map((m) => m.key)).toEqual([a1.key, a2.key]);
  for (const [message, original] of [
    [replayed[0], a1],
    [replayed[1], a2],
  ] as const) {
    expect(message.value).toEqual(original.value);
    expect(message.headers).toEqual({ traceparent: original.headers!.traceparent });
  }

  // The skipped one was not lost; a2 comes again (the service counts an event once).
  const unfiltered = await runReplay(dlq, ['--group', group]);
  expect(unfiltered.summary).toMatchObject({ replayed: 2, skipped: 0, replayedAgainNextRun: 0 });
  expect(await committed(group, dlq)).toBe(3n);
  const all = await readAll(topic, 4);
  expect(all.map((m) => m.key)).toEqual([a1.key, a2.key, b.key, a2.key]);
  expect(all[2].headers).toEqual({ traceparent: b.headers!.traceparent });
});

it('ends at once when nothing is new since the last run', async () => {
  const { topic, dlq, group } = await createTopics(1);
  await produce(dlq, [deadLetter(topic, 'SCHEMA_VIOLATION')]);
  await runReplay(dlq, ['--group', group]);

  const again = await runReplay(dlq, ['--group', group], 30_000);
  expect(again.summary).toMatchObject({ replayed: 0, skipped: 0 });
  expect(await endOffsets(topic)).toEqual(new Map([[0, 1n]]));
});

it('ends at once when the dead-letter topic is empty', async () => {
  const { dlq, group } = await createTopics(1);
  const run = await runReplay(dlq, ['--group', group], 30_000);
  expect(run.summary).toMatchObject({ replayed: 0, skipped: 0 });
});

it('counts in a dry run without publishing or moving the position', async () => {
  const { topic, dlq, group } = await createTopics(1);
  await produce(dlq, [deadLetter(topic, 'SCHEMA_VIOLATION'), deadLetter(topic, 'INVALID_JSON')]);

  const run = await runReplay(dlq, ['--dry-run', '--reason', 'INVALID_JSON', '--group', group]);
  expect(run.summary).toMatchObject({ replayed: 1, skipped: 1, dryRun: true });
  expect(run.stdout).toMatch(/would replay 1/);
  expect(await committed(group, dlq)).toBe(-1n);
  expect(await endOffsets(topic)).toEqual(new Map([[0, 0n]]));
});
