/**
 * Game days through the real CLI on a local playground of their own: start it (with extra
 * environment for a negative control), warm it with reads, run one game day with
 * --phase-scale, read its journal, stop it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../src/gameday/journal.js';
import { CLI, preparePlayground } from './local-harness.js';
import type { Playground } from './local-harness.js';

export const SCALE = '0.2';

/** Every playground started, for after() to stop even when a test failed. */
export const playgrounds: Playground[] = [];

/** Runs the CLI with extra environment, bounded in time; resolves with status and output. */
export function cli(pg: Playground, env: Record<string, string>, ...args: string[]) {
  return new Promise<{ status: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--config', pg.configFile], {
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), 300_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

export async function gameDay(
  env: Record<string, string>,
  file: string,
): Promise<{ status: number | null; out: string; journal: Journal }> {
  const pg = await preparePlayground();
  playgrounds.push(pg);
  // A generous start-up bound: the machines these run on are shared.
  const up = await cli(
    pg,
    { FAULTLINE_READY_TIMEOUT_MS: '120000', ...env },
    'up',
    '--local',
    '--detach',
  );
  assert.equal(up.status, 0, up.out);
  // A playground that has just started is not steady (cold processes, empty rate windows):
  // warm it with reads only, so every seat is still free when the game day starts.
  const warm = await cli(pg, {}, 'load', 'browse', '--rate', '20', '--duration', '10s', '--quiet');
  assert.ok(warm.status === 0 || warm.status === 99, warm.out);
  const outDir = join(pg.stateDir, 'gameday-out');
  const run = await cli(pg, {}, 'gameday', 'run', file, '--phase-scale', SCALE, '--out', outDir);
  const journal = JSON.parse(readFileSync(join(outDir, 'journal.json'), 'utf8')) as Journal;
  pg.cli('down');
  return { ...run, journal };
}
