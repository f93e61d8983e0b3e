/**
 * Signals to the app process (pause = SIGSTOP, resume = SIGCONT, kill = SIGKILL) and its
 * scheduler state from /proc, which is how a pause is observed (`T` = stopped).
 */
import { readFile } from 'node:fs/promises';
import { ClientError } from '@faultline/kit/http-errors';

/** Sends `signal` to `pid`; a missing process is a 409 naming `pid`. */
export function signalApp(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ClientError(409, 'app_unavailable', [
      {
        path: 'pid',
        message:
          code === 'ESRCH'
            ? `app process ${pid} is not running`
            : `cannot signal app process ${pid}: ${code ?? String(e)}`,
      },
    ]);
  }
}

/** Like {@link signalApp}, for recovery: a process that is gone needs no SIGCONT. */
export function signalAppIfAlive(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one-letter state from /proc/<pid>/stat (`R` running, `S` sleeping, `T` stopped,
 * `Z` zombie), or undefined when the process is gone or /proc is unavailable.
 */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}

/** The parent pid from /proc/<pid>/stat, or undefined when the process is gone. */
export async function parentPid(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After the ')' of the command name: state, then the parent pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
