/**
 * `gateway-sticky`: a sticky session stayed on its replica unless that replica was not ready.
 * From the client history: per session id, the replica that answered each request in time
 * order; a move from replica A is allowed only while A was down (a fault window that targeted
 * it, plus `graceMs` for it to come back and be seen ready again).
 */
import type { HistoryRecord } from '../history.js';
import type { FaultWindow, Witness } from '../journal.js';
import type { Checker, CheckerVerdict } from './checker.js';
import { unknownCount } from './checker.js';

export function judgeSticky(
  history: readonly HistoryRecord[],
  faults: readonly Pick<FaultWindow, 'targets' | 'startedAt' | 'endedAt' | 'experimentId'>[],
  graceMs: number,
): CheckerVerdict {
  const answered = history
    .filter((r) => r.sessionId && r.servedBy && r.outcome === 'ok' && r.op === 'session-me')
    .sort((a, b) => (a.startedAt ?? a.scheduledAt) - (b.startedAt ?? b.scheduledAt));
  const downAt = (pod: string, at: number) =>
    faults.some(
      (f) =>
        f.targets.includes(pod) &&
        f.startedAt !== undefined &&
        at >= f.startedAt &&
        at <= (f.endedAt ?? Infinity) + graceMs,
    );
  const last = new Map<string, HistoryRecord>();
  let moves = 0;
  let witness: Witness | undefined;
  for (const r of answered) {
    const prev = last.get(r.sessionId!);
    last.set(r.sessionId!, r);
    if (!prev || prev.servedBy === r.servedBy) continue;
    moves++;
    const at = r.startedAt ?? r.scheduledAt;
    if (!downAt(prev.servedBy!, at) && witness === undefined)
      witness = {
        description: `session ${r.sessionId} moved from ${prev.servedBy} to ${r.servedBy} while ${prev.servedBy} was ready`,
        events: [
          {
            at: prev.startedAt ?? prev.scheduledAt,
            subject: r.sessionId!,
            detail: `served by ${prev.servedBy}`,
            fields: { seq: prev.seq },
          },
          { at, subject: r.sessionId!, detail: `served by ${r.servedBy}`, fields: { seq: r.seq } },
        ],
      };
  }
  const base = {
    checked: answered.length,
    unknownOperations: unknownCount(history, ['session-me', 'open-session']),
  };
  if (witness) return { ...base, status: 'fail', summary: witness.description, witness };
  if (answered.length === 0)
    return {
      ...base,
      status: 'unknown',
      summary: 'no session requests answered with a replica name: nothing to check',
    };
  return {
    ...base,
    status: 'pass',
    summary: `${last.size} sessions, ${answered.length} answers; ${moves} moves, all away from a replica that was down`,
  };
}

export const gatewayStickyChecker: Checker = {
  name: 'gateway-sticky',
  run(i) {
    const span = i.to - i.from;
    return Promise.resolve(judgeSticky(i.history, i.faults, Math.max(5_000, span * 0.05)));
  },
};
