/**
 * Checks before anything starts, so a failure is a sentence, not a stack trace: every
 * binary present (else: which Debian package installs it), every port free (else: which
 * port, and which process holds it when the system can tell).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Plan } from './pod-plan.js';

export function findBinary(command: string, path = process.env.PATH ?? ''): string | undefined {
  if (isAbsolute(command)) return canRun(command) ? command : undefined;
  for (const dir of [...path.split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
    const candidate = join(dir, command);
    if (canRun(candidate)) return candidate;
  }
  return undefined;
}

function canRun(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** "pid 123 (redis-server)" when `ss` can tell who listens on the port. */
export function portHolder(port: number): string | undefined {
  const r = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(r.stdout);
  return m ? `pid ${m[2]} (${m[1]})` : r.stdout.trim() ? 'another process' : undefined;
}

export async function preflight(plan: Plan): Promise<string[]> {
  const problems: string[] = [];
  for (const pod of plan.pods) {
    if (!findBinary(pod.command)) {
      problems.push(
        `${pod.name}: \`${pod.command}\` is not installed` +
          (pod.package ? ` — install the Debian package ${pod.package} (make deps does it)` : ''),
      );
    }
  }
  const owners = new Map<number, string>();
  for (const pod of plan.pods)
    for (const p of [pod.port, ...pod.otherPorts]) owners.set(p, pod.name);
  for (const [port, pod] of owners) {
    if (!(await portIsFree(port))) {
      const holder = portHolder(port);
      problems.push(
        `${pod}: port ${port} is already in use${holder ? ` by ${holder}` : ''} — free it or choose another port (see faultline up --help)`,
      );
    }
  }
  return problems;
}
