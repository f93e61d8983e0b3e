/**
 * A local playground for the dashboard tests, on a free block of loopback ports with its own
 * state directory, driven through the real CLI — the few lines of chaos/test/local-harness.ts
 * this package needs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePortBlock, playgroundYaml } from '@faultline/chaos/local/port-block';

export const CLI = fileURLToPath(new URL('../../../chaos/bin/faultline.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface PlaygroundUrls {
  gateway: string;
  prometheus: string;
  jaeger?: string;
}

interface Status {
  urls: PlaygroundUrls;
  tracing: { on: boolean; note: string };
}

export interface Playground {
  stateDir: string;
  cli(...args: string[]): CliResult;
  /** The CLI in the background, so traffic can run while an experiment does. */
  cliAsync(...args: string[]): Promise<CliResult>;
  urls(): PlaygroundUrls;
  tracing(): { on: boolean; note: string };
}

export async function preparePlayground(): Promise<Playground> {
  const ports = await findFreePortBlock();
  const stateDir = mkdtempSync(join(tmpdir(), 'faultline-dashboards-'));
  const configFile = join(stateDir, 'playground.yaml');
  writeFileSync(configFile, playgroundYaml(stateDir, ports));
  const argv = (args: string[]) => [CLI, ...args, '--config', configFile];
  const cli = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, argv(args), { encoding: 'utf8', timeout: 180_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    stateDir,
    cli,
    cliAsync: (...args) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, argv(args), { timeout: 180_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      }),
    urls: () => status(cli).urls,
    tracing: () => status(cli).tracing,
  };
}

function status(cli: (...args: string[]) => CliResult): Status {
  const r = cli('status', '--json');
  if (r.status !== 0) throw new Error(`faultline status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Status;
}
