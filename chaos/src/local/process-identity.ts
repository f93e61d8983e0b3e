/**
 * Whether a pid in `state.json` is still the process the supervisor started. A pid alone is not
 * enough: after a crash and a reboot or a busy hour the kernel hands the number to someone
 * else, and `faultline down` must never kill a stranger. On Linux a process is named by its pid
 * and its start time (`/proc/<pid>/stat` field 22, clock ticks since boot), which no later
 * process with the same pid can share.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Start time of a live process, or undefined when it is gone (a zombie counts as gone). */
export function startTimeOf(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.startTime : undefined;
}

/**
 * Whether `pid` still runs as the process that had `startTime`. Without a recorded start time
 * (a state file from an older faultline) or without /proc, the pid alone decides, as before.
 */
export function isRunning(pid: number | undefined, startTime: string | undefined): boolean {
  if (!pid) return false;
  if (!hasProc()) return signalReaches(pid);
  const now = startTimeOf(pid);
  if (now === undefined) return false;
  return startTime === undefined || now === startTime;
}

/** A live process now holds a pid the state names, but it is not the one that was recorded. */
export function isReused(pid: number | undefined, startTime: string | undefined): boolean {
  if (!pid || startTime === undefined || !hasProc()) return false;
  const now = startTimeOf(pid);
  return now !== undefined && now !== startTime;
}

let procAvailable: boolean | undefined;
function hasProc(): boolean {
  procAvailable ??= existsSync('/proc/self/stat');
  return procAvailable;
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : undefined;
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
