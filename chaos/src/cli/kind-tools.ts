/**
 * The external commands `make up` drives (docker, kind, helm), found the way the preflight
 * found them, and run with their output streamed line by line under a prefix, so a long step
 * (an image build, a cluster create) shows progress instead of a silent minute. A failure names
 * the command and ends with its last lines of output.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findBinary } from '../local/preflight.js';
import { HELM_VERSION, KIND_VERSION, toolCache } from './kind-pins.js';

/** How every tool runs: its environment, and where step output goes (stdout of the CLI). */
export interface ToolRun {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface KindTools extends ToolRun {
  docker: string;
  kind: string;
  helm: string;
}

/** What the cluster steps need: kind alone (`make down` needs neither docker nor helm). */
export type KindCli = Pick<KindTools, 'kind'> & ToolRun;

/** A pinned Go tool from the cache, else from PATH; docker from PATH. */
export function findTool(
  name: 'docker' | 'kind' | 'helm',
  env: NodeJS.ProcessEnv,
): string | undefined {
  const path = env.PATH ?? '';
  if (name === 'docker') return findBinary('docker', path);
  const version = name === 'kind' ? KIND_VERSION : HELM_VERSION;
  return (
    findBinary(join(toolCache(env), `${name}-${version}`, 'bin', name), path) ??
    findBinary(name, path)
  );
}

/** The binaries the preflight checked; an error naming what is missing. */
export function findKindTools(env: NodeJS.ProcessEnv, log: (line: string) => void): KindTools {
  const [docker, kind, helm] = (['docker', 'kind', 'helm'] as const).map((n) => findTool(n, env));
  if (!docker || !kind || !helm)
    throw new Error(
      `missing ${[!docker && 'docker', !kind && 'kind', !helm && 'helm'].filter(Boolean).join(', ')}: run \`faultline doctor --platform kind\``,
    );
  return { docker, kind, helm, env, log };
}

export interface RunOptions {
  /** Printed before every line of the command's output; nothing printed when undefined. */
  prefix?: string;
  /** Lines kept for the error message (and returned). */
  keep?: number;
}

export class CommandError extends Error {}

/** Runs `cmd args`; resolves with its stdout, rejects with a CommandError naming it. */
export function runTool(
  tools: ToolRun,
  cmd: string,
  args: readonly string[],
  o: RunOptions = {},
): Promise<string> {
  const keep = o.keep ?? 12;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: tools.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const tail: string[] = [];
    const onLine = (line: string, isStdout: boolean) => {
      if (isStdout) stdout.push(line);
      tail.push(line);
      if (tail.length > keep) tail.shift();
      if (o.prefix !== undefined && line.trim()) tools.log(`${o.prefix}${line}`);
    };
    createInterface({ input: child.stdout }).on('line', (l) => onLine(l, true));
    createInterface({ input: child.stderr }).on('line', (l) => onLine(l, false));
    child.on('error', (e) => reject(new CommandError(`${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout.join('\n'));
      const shown = [cmd.split('/').pop(), ...args].join(' ');
      reject(
        new CommandError(
          `\`${shown}\` failed (${signal ?? `exit ${code}`})${tail.length ? `:\n    ${tail.join('\n    ')}` : ''}`,
        ),
      );
    });
  });
}
