/**
 * From a scenario name or path to the compiled scenario a runner uses, with `--rate` and
 * `--duration` applied: a constant scenario takes them as they are; a ramping one is scaled so
 * its peak is the rate and its stages together last the duration (the shape is kept).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSlos } from '@faultline/slos/load';
import {
  arrivalSchedule,
  constantRate,
  rampingRate,
  type ArrivalSchedule,
} from './arrival-schedule.js';
import { compileScenario, type CompiledScenario } from './compiled-scenario.js';
import { parseDuration } from './duration.js';
import { packageRoot } from './paths.js';
import { loadScenarioFile } from './scenario-file.js';

/** `booking-rush` → loadtests/scenarios/booking-rush.yaml; anything with a `/` or `.yaml` is a path. */
export function scenarioFile(nameOrPath: string): string {
  if (/[/\\]|\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  const file = join(packageRoot, 'scenarios', `${nameOrPath}.yaml`);
  return existsSync(file) ? file : resolve(nameOrPath);
}

/** Reads, validates (throws ScenarioSpecError) and compiles against `slos/`. */
export function compileScenarioFile(nameOrPath: string, slosDir?: string): CompiledScenario {
  const file = scenarioFile(nameOrPath);
  return compileScenario(loadScenarioFile(file), file, loadSlos(slosDir));
}

export interface Overrides {
  /** Requests per second (peak, for ramping scenarios). */
  rate?: number;
  /** `30s` or ms. */
  duration?: string | number;
}

/** The arrival schedule with overrides applied, and its peak rate per second. */
export function scheduleOf(
  c: CompiledScenario,
  o: Overrides = {},
): { schedule: ArrivalSchedule; peakPerSecond: number } {
  const a = c.arrival;
  const unitMs = parseDuration(a.timeUnit)!;
  const wantMs =
    o.duration === undefined
      ? undefined
      : typeof o.duration === 'number'
        ? o.duration
        : parseDuration(o.duration);
  if (wantMs !== undefined && !(wantMs > 0))
    throw new Error(`duration ${String(o.duration)}: expected a positive duration such as 30s`);
  if (o.rate !== undefined && !(o.rate > 0))
    throw new Error(`rate ${o.rate}: expected a positive number of requests per second`);
  if (a.executor === 'constant-arrival-rate') {
    const perSecond = o.rate ?? (a.rate * 1000) / unitMs;
    const ms = wantMs ?? parseDuration(a.duration)!;
    return {
      schedule: arrivalSchedule(constantRate(perSecond, 1000, ms)),
      peakPerSecond: perSecond,
    };
  }
  const stages = a.stages.map((s) => ({
    target: s.target,
    durationMs: parseDuration(s.duration)!,
  }));
  const peak = Math.max(a.startRate, ...stages.map((s) => s.target));
  const rateScale = o.rate !== undefined && peak > 0 ? (o.rate * unitMs) / 1000 / peak : 1;
  const total = stages.reduce((n, s) => n + s.durationMs, 0);
  const timeScale = wantMs !== undefined ? wantMs / total : 1;
  const scaled = stages.map((s) => ({
    target: s.target * rateScale,
    durationMs: s.durationMs * timeScale,
  }));
  return {
    schedule: arrivalSchedule(rampingRate(a.startRate * rateScale, unitMs, scaled)),
    peakPerSecond: (peak * rateScale * 1000) / unitMs,
  };
}
