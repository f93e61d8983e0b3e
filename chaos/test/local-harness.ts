/**
 * Test harness for the local platform: a playground on a free block of loopback ports with
 * its own state directory, driven through the real CLI (`bin/faultline.js`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePortBlock, playgroundYaml, type PortBlock } from '../src/local/port-block.js';
import type { PlaygroundState } from '../src/local/state-file.js';

export const CLI = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface Playground {
  stateDir: string;
  configFile: string;
  ports: PortBlock;
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string };
  state(): Omit<PlaygroundState, 'pods'> & {
    running: boolean;
    /** Processes a supervisor that died left running (empty while it runs). */
    leftovers: { name: string; pid: number }[];
    pods: (PlaygroundState['pods'][number] & { alive: boolean; role: string })[];
  };
}

export async function preparePlayground(): Promise<Playground> {
  const ports = await findFreePortBlock();
  const stateDir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
  const configFile = join(stateDir, 'playground.yaml');
  writeFileSync(configFile, playgroundYaml(stateDir, ports));
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
