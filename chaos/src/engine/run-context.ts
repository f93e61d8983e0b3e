/**
 * The state one experiment run carries from phase to phase: the options, the run record (what
 * was targeted, applied, verified, recovered), its metrics, span and stop controller. Each
 * phase (resolve, apply, verify, hold, recover) is a function over this context, so a single
 * experiment and a game day compose the same phases.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { Experiment } from '../experiment/spec.js';
import type { AbortTrip } from './abort-watch.js';
import type { ExperimentMetrics } from './experiment-metrics.js';
import { FAULT_ACTIONS } from './fault-actions.js';
import type { FaultAction } from './fault-actions.js';
import type { AnnotationSink } from './grafana-annotations.js';
import type { PlatformDriver } from './platform-driver.js';
import { writeRun } from './run-registry.js';
import type { RunRecord } from './run-registry.js';
import type { GrafanaTarget } from './grafana-annotations.js';

export interface RunOptions {
  driver: PlatformDriver;
  experiment: Experiment;
  file: string;
  /** Where the run registry lives (`<stateDir>/experiments/`); absent: not recorded. */
  stateDir?: string;
  /** Where the engine announces its metrics to Prometheus (file_sd); absent: not announced. */
  scrapeTargetsDir?: string;
  /** Overrides `spec.duration` (already validated against the maximum). */
  durationMs?: number;
  /** Overrides `spec.seed`. */
  seed?: number;
  /** Resolve and explain only; overrides nothing when the spec already says dryRun. */
  dryRun?: boolean;
  /** How often agent faults are renewed; their TTL is three times this. Default 1000 ms. */
  renewIntervalMs?: number;
  /** How often abort conditions are evaluated. Default 1000 ms. */
  abortPollMs?: number;
  /** How often a remaining-time line is printed. Default 5000 ms. */
  progressEveryMs?: number;
  /** Aborts when a stop is requested (SIGTERM, SIGINT, a game day's abort): everything recovers. */
  signal?: AbortSignal;
  /** One progress line per step, for people; no tty assumptions. */
  onProgress: (line: string) => void;
  /** Called with the record after every step (a game day follows its active faults this way). */
  onRecord?: (record: Readonly<RunRecord>) => void;
  /** Where start/end annotations go (the CLI reads GRAFANA_URL once); none: no annotations. */
  grafana?: GrafanaTarget;
}

/** Why the hold ended. */
export type EndReason = 'duration' | 'stop' | 'abort' | 'apply-failed';

export const tracer = trace.getTracer('@faultline/chaos');

/** Everything a run's phases share. Created by {@link createRunContext}. */
export interface RunContext {
  readonly o: RunOptions;
  readonly driver: PlatformDriver;
  /** The experiment with its effective duration. */
  readonly experiment: Experiment;
  readonly action: FaultAction;
  readonly id: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly renewMs: number;
  readonly ttlMs: number;
  readonly record: RunRecord;
  readonly say: (line: string) => void;
  /** Writes the record to the registry (when there is one) and tells `onRecord`. */
  save(): void;
  /** Set once the run is live (after resolve): metrics, span, annotations. */
  live?: LiveRun;
}

/** What exists only once faults may be applied. */
export interface LiveRun {
  metrics: ExperimentMetrics;
  labels: { experiment: string; fault: string };
  span: Span;
  /** Agent fault id → the span that lasts as long as the fault. */
  faultSpans: Map<string, Span>;
  annotations: AnnotationSink;
  failures: string[];
  applyFailed: boolean;
  /** Aborted when the hold must end (stop, abort, a fault that did not apply). */
  stop: AbortController;
  end: { reason: EndReason };
  trip?: AbortTrip;
  startedAt: number;
  endsAt: number;
  fail(stage: 'apply' | 'renew' | 'recover' | 'verify', message: string): void;
}

export function createRunContext(o: RunOptions): RunContext {
  const spec = o.experiment.spec;
  const renewMs = o.renewIntervalMs ?? 1000;
  const durationMs = o.durationMs ?? spec.duration;
  const id = runId(o.experiment.metadata.name);
  const record: RunRecord = {
    id,
    name: o.experiment.metadata.name,
    file: o.file,
    platform: o.driver.platform,
    phase: 'Pending',
    pid: process.pid,
    fault: spec.fault.type,
    targets: [],
    applied: [],
    recovered: [],
    verification: [],
    startedAt: new Date().toISOString(),
    timings: { processStart: Math.round(performance.timeOrigin), runStart: Date.now() },
  };
  return {
    o,
    driver: o.driver,
    experiment: { ...o.experiment, spec: { ...spec, duration: durationMs } },
    action: FAULT_ACTIONS[spec.fault.type],
    id,
    seed: o.seed ?? spec.seed ?? randomInt(0, 0xffff_ffff),
    durationMs,
    renewMs,
    ttlMs: renewMs * 3,
    record,
    say: o.onProgress,
    save() {
      if (o.stateDir) writeRun(o.stateDir, record);
      o.onRecord?.(record);
    },
  };
}

/** The live part of a context; only phases after resolve call this. */
export function liveOf(ctx: RunContext): LiveRun {
  if (!ctx.live) throw new Error(`experiment ${ctx.id} is not live yet`);
  return ctx.live;
}

/** A run id: the experiment's name, a time and a few random bits (agent ids allow 64 chars). */
function runId(name: string): string {
  return `${name.slice(0, 40)}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}
