/**
 * Test harness for the local platform: a playground on a free block of loopback ports with
 * its own state directory, driven through the real CLI (`bin/faultline.js`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portIsFree } from '../src/local/preflight.js';
import type { PlaygroundState } from '../src/local/state-file.js';

export const CLI = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface Playground {
  stateDir: string;
  configFile: string;
  ports: {
    redis: number;
    etcdBase: number;
    bookingBase: number;
    schedulerBase: number;
    gateway: number;
    gatewayAdmin: number;
    prometheus: number;
  };
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string };
  state(): Omit<PlaygroundState, 'pods'> & {
    running: boolean;
    pods: (PlaygroundState['pods'][number] & { alive: boolean; role: string })[];
  };
}

/** Every port the layout below uses, for a block starting at `b`. */
function layout(b: number) {
  return {
    redis: b,
    etcdBase: b + 10,
    bookingBase: b + 20,
    schedulerBase: b + 30,
    gateway: b + 40,
    gatewayAdmin: b + 41,
    prometheus: b + 42,
  };
}

function allPorts(b: number): number[] {
  const l = layout(b);
  const etcd = [0, 1, 2].flatMap((i) => [
    l.etcdBase + i,
    l.etcdBase + 100 + i,
    l.etcdBase + 200 + i,
  ]);
  const apps = [0, 1, 2].flatMap((i) => [l.bookingBase + i, l.schedulerBase + i]);
  return [l.redis, ...etcd, ...apps, l.gateway, l.gatewayAdmin, l.prometheus];
}

export async function preparePlayground(): Promise<Playground> {
  let base = 0;
  for (let attempt = 0; attempt < 50 && !base; attempt++) {
    // Below the kernel's ephemeral range, so outgoing connections never collide with it.
    const b = 20_000 + Math.floor(Math.random() * 1000) * 10;
    const free = await Promise.all(allPorts(b).map((p) => portIsFree(p)));
    if (free.every(Boolean)) base = b;
  }
  if (!base) throw new Error('no free block of ports found');
  const ports = layout(base);
  const stateDir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
  const configFile = join(stateDir, 'playground.yaml');
  writeFileSync(
    configFile,
    [
      `stateDir: ${stateDir}`,
      'ports:',
      ...Object.entries(ports).map(([k, v]) => `  ${k}: ${v}`),
      '',
    ].join('\n'),
  );
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args, '--config', configFile], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    stateDir,
    configFile,
    ports,
    cli,
    state: () => {
      const r = cli('status', '--json');
      if (r.status !== 0) throw new Error(`status failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as ReturnType<Playground['state']>;
    },
  };
}
