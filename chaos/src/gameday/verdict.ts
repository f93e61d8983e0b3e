/**
 * The verdict maths, pure (no I/O): budget burn, time to detect, time to recover, a fault's
 * requested-versus-observed judgement and the overall verdict. The runner feeds it what it
 * measured; table tests feed it fixtures.
 */
import type {
  AlertRecord,
  CheckerResult,
  FaultDetection,
  FaultRecovery,
  FaultWindow,
  ObservedStatus,
  OverallVerdict,
} from './journal.js';

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

/**
 * Error budget burned by a game day whose bad-event share over its whole length was
 * `errorRatio` (event-weighted: bad events / all events): as a share of the game day's own
 * budget, and of a 30-day budget if events flowed at the same rate for 30 days.
 */
export function budgetBurn(
  errorRatio: number | null,
  objective: number,
  durationMs: number,
): { gameDayShare: number | null; thirtyDayShare: number | null } {
  if (errorRatio === null) return { gameDayShare: null, thirtyDayShare: null };
  const gameDayShare = errorRatio / (1 - objective);
  return { gameDayShare, thirtyDayShare: (gameDayShare * durationMs) / THIRTY_DAYS_MS };
}

/** Burn rate: how many times faster than the objective allows the budget is spent. */
export function burnRate(errorRatio: number | null, objective: number): number | null {
  return errorRatio === null ? null : errorRatio / (1 - objective);
}

/** The fault windows an alert's firing start falls in, detection lag `graceMs` allowed. */
export function faultsAt(
  at: number,
  faults: readonly Pick<FaultWindow, 'experimentId' | 'startedAt' | 'endedAt'>[],
  graceMs: number,
): string[] {
  return faults
    .filter(
      (f) =>
        f.startedAt !== undefined && at >= f.startedAt && at <= (f.endedAt ?? Infinity) + graceMs,
    )
    .map((f) => f.experimentId);
}

/** Whether an alert is a page or ticket burn-rate alert of `sloName`. */
export function alertIsFor(alert: AlertRecord, sloName: string, service?: string): boolean {
  const sev = alert.severity ?? alert.labels.severity;
  if (sev !== 'page' && sev !== 'ticket') return false;
  if (alert.labels.sloth_slo !== sloName) return false;
  return (
    service === undefined ||
    alert.labels.sloth_service === undefined ||
    alert.labels.sloth_service === service
  );
}

/**
 * Time to detect a fault for one SLO: the first page or ticket alert of that SLO that starts
 * firing after the fault started (and before its end plus `graceMs`). Not detected: null.
 */
export function timeToDetect(
  fault: Pick<FaultWindow, 'experimentId' | 'startedAt' | 'endedAt'>,
  alerts: readonly AlertRecord[],
  sloName: string,
  graceMs: number,
  service?: string,
): FaultDetection {
  const start = fault.startedAt;
  if (start === undefined) return { experimentId: fault.experimentId, timeToDetectMs: null };
  const limit = (fault.endedAt ?? Infinity) + graceMs;
  let best: { alert: string; at: number } | undefined;
  for (const a of alerts) {
    if (!alertIsFor(a, sloName, service)) continue;
    for (const f of a.firing)
      if (f.start >= start && f.start <= limit && (best === undefined || f.start < best.at))
        best = { alert: a.name, at: f.start };
  }
  return best
    ? {
        experimentId: fault.experimentId,
        alert: best.alert,
        detectedAt: best.at,
        timeToDetectMs: best.at - start,
      }
    : { experimentId: fault.experimentId, timeToDetectMs: null };
}

/**
 * Time to recover: from the fault's end until the SLI is within objective for `n` consecutive
 * evaluations (samples in time order; a sample without data breaks the run). The recovery time
 * is the first evaluation of that run. Never recovered within the samples: nulls.
 */
export function timeToRecover(
  fault: Pick<FaultWindow, 'experimentId' | 'startedAt' | 'endedAt'>,
  samples: readonly { at: number; sli: number | null }[],
  objective: number,
  n: number,
): FaultRecovery {
  const none = {
    experimentId: fault.experimentId,
    fromFaultEndMs: null,
    fromFaultStartMs: null,
    evaluations: n,
  };
  if (fault.startedAt === undefined || fault.endedAt === undefined) return none;
  const after = samples.filter((s) => s.at >= fault.endedAt!);
  let run = 0;
  for (let i = 0; i < after.length; i++) {
    const s = after[i]!;
    run = s.sli !== null && s.sli >= objective ? run + 1 : 0;
    if (run === n) {
      const at = after[i - n + 1]!.at;
      return {
        experimentId: fault.experimentId,
        recoveredAt: at,
        fromFaultEndMs: at - fault.endedAt,
        fromFaultStartMs: at - fault.startedAt,
        evaluations: n,
      };
    }
  }
  return none;
}

/** Client-side figures of a window against the baseline's. */
export interface ClientComparison {
  errorShare: number | null;
  p99Ms: number | null;
  baselineErrorShare: number | null;
  baselineP99Ms: number | null;
}

/**
 * Requested versus observed for one fault. The engine's verification decides when it has a
 * check: any target not verified is a mismatch, all verified is confirmed. Where no check
 * exists (unverifiable), the clients decide: errors 1 point above the baseline or a p99 1.5×
 * the baseline's confirm it; otherwise it is inconclusive. A refused or unapplied fault is a
 * mismatch: what was asked never happened.
 */
export function judgeFault(
  enginePhase: string,
  verification: readonly { pod: string; outcome: string; observed: string }[],
  client: ClientComparison | undefined,
): { status: ObservedStatus; evidence: string[] } {
  const evidence = verification.map((v) => `engine ${v.outcome} on ${v.pod}: ${v.observed}`);
  if (client)
    evidence.push(
      `clients in the window: errors ${pct(client.errorShare)} (baseline ${pct(client.baselineErrorShare)}), p99 ${ms(client.p99Ms)} (baseline ${ms(client.baselineP99Ms)})`,
    );
  if (enginePhase === 'Refused' || verification.length === 0)
    return {
      status: 'mismatch',
      evidence: [`the fault was not applied (engine: ${enginePhase})`, ...evidence],
    };
  if (verification.some((v) => v.outcome === 'not-verified'))
    return { status: 'mismatch', evidence };
  if (verification.every((v) => v.outcome === 'verified')) return { status: 'confirmed', evidence };
  if (client && clientSawIt(client)) return { status: 'confirmed', evidence };
  return { status: 'inconclusive', evidence };
}

function clientSawIt(c: ClientComparison): boolean {
  if (
    c.errorShare !== null &&
    c.baselineErrorShare !== null &&
    c.errorShare > c.baselineErrorShare + 0.01
  )
    return true;
  return c.p99Ms !== null && c.baselineP99Ms !== null && c.p99Ms > c.baselineP99Ms * 1.5;
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)} ms`);

export interface VerdictInputs {
  /** Steady state failed before chaos: nothing was injected. */
  notSteady?: string;
  /** The game day was aborted (page alert, condition, signal). */
  aborted?: string;
  harnessErrors: readonly string[];
  slos: readonly { slo: string; met: boolean | null }[];
  checkers: readonly Pick<CheckerResult, 'name' | 'status' | 'summary'>[];
  faults: readonly { experimentId: string; status: ObservedStatus }[];
}

export const VERDICT_EXIT_CODES: Record<OverallVerdict, number> = {
  PASS: 0,
  FAIL: 1,
  ABORTED: 3,
  INCONCLUSIVE: 4,
  HARNESS_ERROR: 4,
};

/**
 * The overall verdict. Not steady before chaos: INCONCLUSIVE (nothing was tested). Aborted:
 * ABORTED. Otherwise a failure (an SLO missed, a checker's witness) outranks everything, a
 * harness error comes next (the tool failed, not the hypothesis), then unknowns (no data, a
 * checker unknown, a fault that did not take effect) make it INCONCLUSIVE; else PASS.
 */
export function overallVerdict(i: VerdictInputs): { overall: OverallVerdict; reasons: string[] } {
  if (i.notSteady)
    return { overall: 'INCONCLUSIVE', reasons: [`not steady before chaos: ${i.notSteady}`] };
  const failures = [
    ...i.slos.filter((s) => s.met === false).map((s) => `SLO ${s.slo} missed`),
    ...i.checkers
      .filter((c) => c.status === 'fail')
      .map((c) => `checker ${c.name} failed: ${c.summary}`),
  ];
  const unknowns = [
    ...i.slos.filter((s) => s.met === null).map((s) => `SLO ${s.slo}: no data`),
    ...i.checkers
      .filter((c) => c.status === 'unknown')
      .map((c) => `checker ${c.name} unknown: ${c.summary}`),
    ...i.faults
      .filter((f) => f.status === 'mismatch')
      .map((f) => `fault ${f.experimentId} did not take effect as requested`),
  ];
  if (i.aborted) return { overall: 'ABORTED', reasons: [`aborted: ${i.aborted}`, ...failures] };
  if (failures.length > 0)
    return {
      overall: 'FAIL',
      reasons: [...failures, ...i.harnessErrors.map((h) => `harness: ${h}`)],
    };
  if (i.harnessErrors.length > 0)
    return { overall: 'HARNESS_ERROR', reasons: i.harnessErrors.map((h) => `harness: ${h}`) };
  if (unknowns.length > 0) return { overall: 'INCONCLUSIVE', reasons: unknowns };
  return {
    overall: 'PASS',
    reasons: ['every SLO met, every checker passed, every fault confirmed or observed'],
  };
}
