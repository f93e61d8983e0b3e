/**
 * CPU time of named processes over a run, from /proc/<pid>/stat (user + system time, in clock
 * ticks of 10 ms): on two shared cores a ratio of throughputs says that something costs, the
 * CPU each process spent per request says which process pays it — the service, the gateway or
 * the trace receiver parsing what they export.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux ABI we run on. */
const TICKS_PER_SECOND = 100;

/** Seconds of CPU (user + system) the process has used; throws, naming it, when it is gone. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is parenthesised and may hold spaces: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12th and 13th after comm.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Processes in groups (`gateway`, `booking`, `receiver`), each a list of pids. */
export type ProcessGroups = Record<string, readonly number[]>;

/** Starts measuring: the function returned gives the CPU seconds each group has used since. */
export function measureCpu(groups: ProcessGroups): () => Record<string, number> {
  const total = (pids: readonly number[]) => pids.reduce((s, pid) => s + cpuSecondsOf(pid), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, total(pids)]));
  return () =>
    Object.fromEntries(
      Object.entries(groups).map(([g, pids]) => [g, total(pids) - (before[g] ?? 0)]),
    );
}
