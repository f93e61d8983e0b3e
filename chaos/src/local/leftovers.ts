/**
 * What a supervisor that died without stopping left behind, read from the state file it wrote:
 * the pods whose recorded process still runs (pid and start time agree). `faultline up` stops
 * them before it starts, and so before it replaces the state file that names them; `faultline
 * down` stops them when there is no supervisor left to ask. Normally there are none (pods die
 * with their supervisor, see parent-death-signal.ts): this is the net under that.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isReused, isRunning } from './process-identity.js';
import { podRunning, type PlaygroundState } from './state-file.js';

export interface Leftover {
  name: string;
  pid: number;
  startTime: string | undefined;
}

/** The state's pods that still run as the processes it recorded. */
export function leftoversOf(state: PlaygroundState): Leftover[] {
  return state.pods
    .filter((p) => podRunning(p))
    .map((p) => ({ name: p.name, pid: p.pid!, startTime: p.startTime }));
}

/** The state's pods whose pid now belongs to another process: never to be signalled. */
export function reusedPidsOf(state: PlaygroundState): { name: string; pid: number }[] {
  return state.pods
    .filter((p) => isReused(p.pid, p.startTime))
    .map((p) => ({ name: p.name, pid: p.pid! }));
}

const POLL_MS = 50;

/**
 * SIGKILLs each leftover and waits (polling /proc, at most `waitMs`) until it is gone; resolves
 * with those still running. No grace period: their agents, and so their traffic, died with the
 * supervisor, and every `up` wipes the data, so there is nothing left to drain or flush.
 */
export async function stopLeftovers(
  leftovers: Leftover[],
  onProgress: (line: string) => void,
  waitMs = 10_000,
): Promise<Leftover[]> {
  for (const l of leftovers) {
    // Checked again right before the signal: the pid must still be the recorded process.
    if (!stillRuns(l)) continue;
    onProgress(`stopping leftover ${l.name} (pid ${l.pid})`);
    try {
      process.kill(l.pid, 'SIGKILL');
    } catch {
      // gone meanwhile, or not ours to signal (EPERM): the wait below tells which
    }
  }
  const deadline = Date.now() + waitMs;
  for (let left = leftovers.filter(stillRuns); ; left = left.filter(stillRuns)) {
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(POLL_MS);
  }
}

function stillRuns(l: Leftover): boolean {
  return isRunning(l.pid, l.startTime);
}
