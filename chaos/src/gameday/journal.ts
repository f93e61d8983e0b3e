/**
 * The game-day journal: everything a game day did and saw, in one serialisable object. The
 * runner fills it; reports (JSON, Markdown, JUnit, HTML) render only from it, so a report can be
 * rebuilt from `journal.json` alone. Every time is epoch milliseconds (fractions allowed), every
 * duration is milliseconds, every ratio is a share in [0, 1]; `null` means "no data" (say a
 * window Prometheus had no samples for), never 0.
 *
 * Fields are only ever added, never renamed (`version` says which shape a file has).
 */

/** Shape version of the journal; bumped only on an incompatible change. */
export const JOURNAL_VERSION = 1;

/** The game day's overall outcome. `HARNESS_ERROR`: the tool failed, not the hypothesis. */
export type OverallVerdict = 'PASS' | 'FAIL' | 'ABORTED' | 'INCONCLUSIVE' | 'HARNESS_ERROR';

/** Phases of a game day, in order. `preflight` is before load; `checkers` after it stops. */
export type GameDayPhaseName = 'preflight' | 'baseline' | 'chaos' | 'recovery' | 'checkers';

/** Phases whose SLIs are reported (load runs through them). */
export type SliPhaseName = 'baseline' | 'chaos' | 'recovery';

export interface Journal {
  version: typeof JOURNAL_VERSION;
  /** The spec as it ran (after `--phase-scale`). */
  spec: SpecEcho;
  /** Platform the game day ran on (`local`, `kubernetes`). */
  platform: string;
  /** When the run started (before preflight) and ended (verdict ready). */
  startedAt: number;
  endedAt: number;
  /** Each phase that started, with its absolute window; a phase cut short says so. */
  phases: PhaseWindow[];
  /** The SLOs of the hypothesis, as loaded from `slos/`. */
  slos: SloEcho[];
  /** Preflight checks and steady-state checks (before and after). */
  preflight: CheckLine[];
  steadyState: SteadyStateResult[];
  load: LoadEcho;
  /** Samples over time: per SLO from Prometheus, and from the client history. */
  timeline: Timeline;
  /** One per scheduled experiment (per run of it). */
  faults: FaultWindow[];
  /** Every alert seen firing during the game day (from Prometheus' ALERTS series). */
  alerts: AlertRecord[];
  /** Scheduler leadership over time (empty when the game day has no scheduler). */
  leadership: LeadershipTimeline;
  checkers: CheckerResult[];
  /** Per-SLO verdict figures. */
  verdicts: SloVerdict[];
  /** Things worth a human's attention that are not failures by themselves. */
  findings: Finding[];
  /** Slowest traces of each fault window (empty when no trace backend was reachable). */
  traces: FaultTraces[];
  /** Set when the abort watch stopped the game day. */
  abort?: AbortRecord;
  verdict: VerdictSummary;
  /** Process exit code: 0 pass, 1 fail, 2 bad spec/refused, 3 aborted, 4 inconclusive/harness. */
  exitCode: number;
  /** Where the client history (JSON Lines, one record per scheduled request) is. */
  historyFile: string;
  /** Where the reports were written. */
  outDir: string;
  /** Links to UIs, when the platform has them (Jaeger, Prometheus, Grafana). */
  links: {
    prometheus?: string;
    jaeger?: string;
    grafana?: string;
    /** Jaeger's web UI, when it has one: trace links go there (`jaeger` may be a query API only, as locally). */
    jaegerUi?: string;
  };
}

/** The game-day spec echoed back, with absolute phase times. */
export interface SpecEcho {
  /** The game-day file as given, and its metadata.name. */
  file: string;
  name: string;
  description?: string;
  hypothesis: {
    /** In words, from the file. */
    statement: string;
    /** SLO names (from `slos/`) that must hold over the game day. */
    slos: string[];
    steadyState: { name: string; query: string; tolerance: string }[];
  };
  /** Planned durations (after scaling). */
  durations: { baselineMs: number; chaosMs: number; recoveryMs: number };
  /** `--phase-scale` applied to every duration and offset (1 = as written). */
  phaseScale: number;
  schedule: { experiment: string; file?: string; startOffsetMs: number; durationMs: number }[];
  checkers: string[];
  negativeControl: boolean;
  /** Overrides in force (such as booking fencing off), as `component.setting=value`. */
  overrides: string[];
  seed?: number;
}

export interface PhaseWindow {
  name: GameDayPhaseName;
  startedAt: number;
  /** Absent while running. */
  endedAt?: number;
  plannedMs?: number;
  /** Why it ended early (abort, not steady, harness error). */
  cutShort?: string;
}

export interface SloEcho {
  name: string;
  service: string;
  /** Sloth id `<service>-<name>` (the rules' `sloth_id` label). */
  id: string;
  description: string;
  /** Target share of good events, such as 0.999. */
  objective: number;
  /** The SLO's compliance window as written (such as `30d`). */
  window: string;
  /** `availability`, `latency` or `ratio`. */
  sliKind: string;
  file: string;
}

/** One preflight line: what was checked, whether it held, what was seen. */
export interface CheckLine {
  name: string;
  ok: boolean;
  detail: string;
  at: number;
}

export interface SteadyStateResult {
  name: string;
  query: string;
  tolerance: string;
  /** `before`: through the baseline; `after`: at the end of recovery. */
  when: 'before' | 'after';
  ok: boolean;
  /** Values seen (one per evaluation); null when the query returned nothing. */
  samples: { at: number; value: number | null }[];
  detail: string;
}

export interface LoadEcho {
  scenario: string;
  /** Requests per second asked for. */
  rate: number;
  /** `embedded` or `k6`. */
  runner: string;
  target: string;
  startedAt?: number;
  stoppedAt?: number;
  /** Counts by outcome from the history. */
  requests: { scheduled: number; ok: number; error: number; unknown: number; dropped: number };
  /** The load runner's own summary, as it returned it. */
  summary?: unknown;
}

export interface Timeline {
  /** Step of the Prometheus range queries. */
  stepMs: number;
  slo: SloSample[];
  /** Client-side figures per interval, from the load history. */
  client: ClientSample[];
}

export interface SloSample {
  slo: string;
  at: number;
  /** Share of good events over the last step (1 - errorRatio). */
  sli: number | null;
  errorRatio: number | null;
  /** Burn rate (error ratio / (1 - objective)) per window label, such as `5m` or `1h`. */
  burnRate: Record<string, number | null>;
}

export interface ClientSample {
  /** Start of the interval. */
  at: number;
  intervalMs: number;
  requests: number;
  errors: number;
  unknown: number;
  dropped: number;
  /** (errors + unknown) / requests sent; null when none were sent. */
  errorShare: number | null;
  /** Client-side p99 latency of answered requests; null when none answered. */
  p99Ms: number | null;
}

/** How a fault's effect was judged from all evidence. */
export type ObservedStatus = 'confirmed' | 'mismatch' | 'inconclusive';

export interface FaultWindow {
  /** The engine's run id (agent label, metric label). */
  experimentId: string;
  /** Experiment metadata.name and where it came from (a path, or `inline`). */
  name: string;
  source: string;
  faultType: string;
  /** What was asked, in words (the experiment's explanation, first line). */
  requested: string;
  targets: string[];
  /** Offset into the chaos phase it was scheduled at. */
  scheduledOffsetMs: number;
  /** When the fault was applied and recovered (absent: never applied / never recovered). */
  startedAt?: number;
  endedAt?: number;
  /** The engine's phase for this experiment (Completed, Failed, Aborted, Refused). */
  enginePhase: string;
  engineMessage?: string;
  /** The engine's own verification, per target. */
  verification: { pod: string; outcome: string; observed: string; at?: string }[];
  observed: {
    status: ObservedStatus;
    /** Each piece of evidence in one line (engine verification, client-side figures). */
    evidence: string[];
    /** Client-side figures in the fault window and in the baseline, for comparison. */
    client?: {
      errorShare: number | null;
      p99Ms: number | null;
      baselineErrorShare: number | null;
      baselineP99Ms: number | null;
    };
  };
}

export interface AlertRecord {
  name: string;
  labels: Record<string, string>;
  /** `page` or `ticket` when the alert says. */
  severity?: string;
  /** Intervals it was firing; `end` absent when still firing at the end. */
  firing: { start: number; end?: number }[];
  /** Experiment ids whose window contained the start of a firing interval. */
  duringFaults: string[];
}

export interface LeadershipTimeline {
  /** Observed leader per sample (from the scheduler's `GET /leader`). */
  samples: { at: number; leader: string | null; term: number | null }[];
  /** Terms seen, each with its leader and when it was first/last seen. */
  terms: { term: number; leader: string; firstSeen: number; lastSeen: number }[];
}

export type CheckerStatus = 'pass' | 'fail' | 'unknown';

export interface CheckerResult {
  /** Checker name (`booking-ledger`, `booking-history`, `scheduler-terms`, `gateway-sticky`). */
  name: string;
  status: CheckerStatus;
  /** One line for people. */
  summary: string;
  /** How many operations / records were checked. */
  checked: number;
  /** Operations whose outcome is unknown (timeouts after send): why a checker says unknown. */
  unknownOperations: number;
  /** The smallest evidence of the failure (fail only). */
  witness?: Witness;
  /** The checker itself could not run (say Redis unreachable): status is then unknown. */
  error?: string;
  durationMs: number;
}

/** Minimal witness of a violated property. */
export interface Witness {
  /** In words, such as "seat gala-7: bookings b1 (token 7, t1) and b2 (token 8, t2) both active". */
  description: string;
  /** The records involved, in time order. */
  events: WitnessEvent[];
}

export interface WitnessEvent {
  at?: number;
  /** What the event is about (a seat, a term, a session). */
  subject: string;
  detail: string;
  fields?: Record<string, string | number | boolean | null>;
}

export interface SloVerdict {
  slo: string;
  objective: number;
  /** Whether the SLI over the whole game day met the objective (null: no data). */
  met: boolean | null;
  sli: { overall: number | null; byPhase: Partial<Record<SliPhaseName, number | null>> };
  /** Event counts over the game day (the event-weighted basis of budget burn). */
  events: { total: number; bad: number };
  budget: {
    /** Bad events / (total events × (1 - objective)): 1 = the game day's whole budget. */
    gameDayShare: number | null;
    /** Share of a 30-day budget these bad events would consume at the game day's rate. */
    thirtyDayShare: number | null;
  };
  /** Worst burn rate seen per window label, with when. */
  worstBurnRate: Record<string, { value: number; at: number } | null>;
  /** Per fault: first page/ticket alert for this SLO after the fault started. */
  detection: FaultDetection[];
  /** Per fault: when the SLI was back within objective for N consecutive evaluations. */
  recovery: FaultRecovery[];
}

export interface FaultDetection {
  experimentId: string;
  /** The alert that detected it; absent when not detected. */
  alert?: string;
  detectedAt?: number;
  /** null: not detected (a finding). */
  timeToDetectMs: number | null;
}

export interface FaultRecovery {
  experimentId: string;
  recoveredAt?: number;
  /** From the fault's end, and from its start; null: not back within the game day. */
  fromFaultEndMs: number | null;
  fromFaultStartMs: number | null;
  /** Consecutive evaluations within objective required. */
  evaluations: number;
}

export interface Finding {
  kind:
    | 'not-detected'
    | 'alert-without-fault'
    | 'fault-mismatch'
    | 'steady-state-after'
    | 'harness'
    | 'other';
  message: string;
  experimentId?: string;
  at?: number;
}

export interface FaultTraces {
  experimentId: string;
  traces: TraceSummary[];
}

export interface TraceSummary {
  traceId: string;
  durationMs: number;
  startedAt: number;
  rootSpan: { service: string; name: string };
  spanCount: number;
  hasError: boolean;
  /** A link to the trace in a UI, when one exists. */
  url?: string;
}

export interface AbortRecord {
  at: number;
  reason: string;
  /** `alert` (a page alert fired), `condition` (a PromQL condition), `signal` (SIGINT/SIGTERM). */
  trigger: 'alert' | 'condition' | 'signal';
}

export interface VerdictSummary {
  overall: OverallVerdict;
  /** Why, one line each (the SLOs missed, checkers failed, what was unknown). */
  reasons: string[];
  /** What the tool failed at (distinct from a failed hypothesis). */
  harnessErrors: string[];
}
