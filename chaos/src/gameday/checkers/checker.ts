/**
 * A correctness checker: reads what the system recorded (its ledgers, the client history)
 * after the game day and says pass, fail with a minimal witness, or unknown. Each checker is
 * a pure judgement over data plus a reader that fetches the data from the platform.
 */
import type { HistoryRecord } from '../history.js';
import type { CheckerResult, FaultWindow, LeadershipTimeline } from '../journal.js';
import type { LedgerSnapshot } from './booking-ledger-data.js';

export interface CheckerInputs {
  history: readonly HistoryRecord[];
  /**
   * Booking's ledger, read from Redis once after the load for every checker that `readsLedger`;
   * undefined when the platform has no Redis.
   */
  ledger: LedgerSnapshot | undefined;
  /** The scheduler replicas' URLs, looked up once for every checker that `readsSchedulers`. */
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
  /** Judges booking's ledger: the runner reads it (once) only when such a checker runs. */
  readonly readsLedger?: boolean;
  /** Reads the scheduler replicas: the runner looks their URLs up (once) only when such a checker runs. */
  readonly readsSchedulers?: boolean;
  run(inputs: CheckerInputs): Promise<CheckerVerdict>;
}

/** How many history records of these ops had an unknown outcome. */
export function unknownCount(history: readonly HistoryRecord[], ops: readonly string[]): number {
  return history.filter((r) => ops.includes(r.op) && r.outcome === 'unknown').length;
}

/** The verdict of a ledger checker on a platform without Redis. */
export const NO_LEDGER: CheckerVerdict = {
  status: 'unknown',
  summary: 'no Redis on this platform to read the ledger from',
  checked: 0,
  unknownOperations: 0,
};
