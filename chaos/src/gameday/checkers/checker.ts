/**
 * A correctness checker: reads what the system recorded (its ledgers, the client history)
 * after the game day and says pass, fail with a minimal witness, or unknown. Each checker is
 * a pure judgement over data plus a reader that fetches the data from the platform.
 */
import type { HistoryRecord } from '../history.js';
import type { CheckerResult, FaultWindow, LeadershipTimeline } from '../journal.js';

export interface CheckerInputs {
  history: readonly HistoryRecord[];
  redisUrl: string | undefined;
  schedulerUrls: readonly { pod: string; url: string }[];
  leadership: LeadershipTimeline;
  faults: readonly FaultWindow[];
  /** The load's window (checkers ignore what other runs left). */
  from: number;
  to: number;
}

export type CheckerVerdict = Omit<CheckerResult, 'name' | 'durationMs'>;

export interface Checker {
  readonly name: string;
  run(inputs: CheckerInputs): Promise<CheckerVerdict>;
}

/** How many history records of these ops had an unknown outcome. */
export function unknownCount(history: readonly HistoryRecord[], ops: readonly string[]): number {
  return history.filter((r) => ops.includes(r.op) && r.outcome === 'unknown').length;
}
