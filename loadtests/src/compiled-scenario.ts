/**
 * A scenario compiled for both runners: the k6 options (executor, VUs, thresholds), each journey
 * step resolved to its operation (method, route, path and body templates, tags). Written next to
 * the YAML as `<name>.json` — k6 has no YAML parser, its scripts `open()` this — and kept equal to
 * fresh output by a test. The embedded generator compiles the YAML the same way at run time.
 */
import { relative } from 'node:path';
import { parseDuration } from './duration.js';
import { OPERATIONS, type Operation, type OperationName } from './operations.js';
import type { Scenario } from './scenario-schema.js';
import { sloTagging, type SloForThresholds, type Threshold } from './slo-thresholds.js';
import { packageRoot } from './paths.js';

/** One journey step, ready to send. */
export interface CompiledStep extends Operation {
  op: OperationName;
  weight: number;
  idempotencyKeyShare: number;
  retries: number;
  /** k6 tags / metric labels of its requests: route, op, and the SLOs that measure it. */
  tags: Record<string, string>;
}

/** k6 arrival-rate executor options (k6's own field names). */
export type CompiledArrival =
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      timeUnit: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnit: string;
      stages: { target: number; duration: string }[];
      preAllocatedVUs: number;
      maxVUs: number;
    };

export interface CompiledScenario {
  /** The YAML it was compiled from, relative to loadtests/. */
  source: string;
  name: string;
  description: string;
  target: 'gateway';
  arrival: CompiledArrival;
  timeout: string;
  timeoutMs: number;
  seats: Scenario['seats'];
  seed: number;
  journey: CompiledStep[];
  thresholds: Record<string, Threshold[]>;
  /** SLOs that gave no threshold here, and why. */
  notes: string[];
}

/** Compiles a validated scenario against the SLOs. */
export function compileScenario(
  scenario: Scenario,
  file: string,
  slos: readonly SloForThresholds[],
): CompiledScenario {
  const ops = [...new Set(scenario.journey.map((s) => s.op as OperationName))].map(
    (o) => OPERATIONS[o] as Operation,
  );
  const slo = sloTagging(slos, ops);
  const vus = { preAllocatedVUs: scenario.maxInFlight, maxVUs: scenario.maxInFlight };
  const a = scenario.arrival;
  const arrival: CompiledArrival =
    a.executor === 'constant-arrival-rate'
      ? { executor: a.executor, rate: a.rate, timeUnit: a.timeUnit, duration: a.duration, ...vus }
      : {
          executor: a.executor,
          startRate: a.startRate,
          timeUnit: a.timeUnit,
          stages: a.stages,
          ...vus,
        };
  return {
    source: relative(packageRoot, file),
    name: scenario.name,
    description: scenario.description,
    target: scenario.target,
    arrival,
    timeout: scenario.timeout,
    timeoutMs: parseDuration(scenario.timeout)!,
    seats: scenario.seats,
    seed: scenario.seed,
    journey: scenario.journey.map((s) => {
      const op = s.op as OperationName;
      const operation: Operation = OPERATIONS[op];
      return {
        op,
        weight: s.weight,
        idempotencyKeyShare: 'idempotencyKeyShare' in s ? s.idempotencyKeyShare : 0,
        retries: 'retries' in s ? s.retries : 0,
        ...operation,
        tags: { op, route: operation.route, ...slo.tagsFor(operation) },
      };
    }),
    thresholds: slo.thresholds,
    notes: slo.notes,
  };
}

/** The JSON text committed next to the YAML (stable: two-space indent, trailing newline). */
export function compiledScenarioJson(c: CompiledScenario): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
