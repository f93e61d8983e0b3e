/**
 * Pods that die with their supervisor. Node cannot call prctl(PR_SET_PDEATHSIG) itself, but
 * util-linux's `setpriv --pdeathsig KILL` (in every Debian) sets it and then execs the pod's
 * command: same pid, same command line, no extra process, and the kernel SIGKILLs the pod as
 * soon as the supervisor is gone, however it went (SIGKILL and OOM included). The signal is
 * tied to the thread that forked, which for `child_process.spawn` is Node's main thread: it
 * lives exactly as long as the supervisor process.
 *
 * Where setpriv is missing (not Linux), the command runs as it is; `faultline up` and
 * `faultline down` then stop what a dead supervisor left, from the pids in state.json.
 */
import { findBinary } from './preflight.js';

export interface Launch {
  command: string;
  args: string[];
}

let setprivPath: string | null | undefined;

/** The setpriv binary, looked up once per process (null: none). */
export function setpriv(): string | null {
  setprivPath ??= findBinary('setpriv') ?? null;
  return setprivPath;
}

/** How to start `command` so that it is killed when this process dies. */
export function dyingWithParent(
  command: string,
  args: string[],
  path: string | undefined,
  wrapper = setpriv(),
): Launch {
  // An absolute path, so a missing command is still the spawn error it was (ENOENT), not
  // setpriv's exit 127; and so /usr/sbin is searched as preflight searched it.
  const binary = findBinary(command, path);
  if (!wrapper || !binary) return { command, args };
  return { command: wrapper, args: ['--pdeathsig', 'KILL', '--', binary, ...args] };
}
