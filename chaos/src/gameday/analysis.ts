/**
 * After the game day: what Prometheus recorded, turned into journal sections — the SLI and
 * burn rates over time per SLO, the alerts' firing intervals, and each SLO's verdict figures
 * (SLI per phase and overall, budget burned, worst burn rates, time to detect and to recover).
 */
import type { Slo } from '@faultline/slos/slo';
import { sliErrorRatioExpr } from '@faultline/slos/promql';
import type { HistoryRecord } from './history.js';
import type {
  AlertRecord,
  FaultWindow,
  PhaseWindow,
  SliPhaseName,
  SloSample,
  SloVerdict,
} from './journal.js';
import type { PrometheusClient } from './prometheus.js';
import { budgetBurn, burnRate, faultsAt, timeToDetect, timeToRecover } from './verdict.js';

export const sloIdOf = (slo: Pick<Slo, 'service' | 'name'>) => `${slo.service}-${slo.name}`;

/** Prometheus range (`37s`) of a span of time, at least two scrapes. */
const rangeOf = (ms: number) => `${Math.max(4, Math.round(ms / 1000))}s`;

/** The SLI every `stepMs` over [from, to], with burn rates from the recording rules. */
export async function sloTimeline(
  prom: PrometheusClient,
  slo: Slo,
  from: number,
  to: number,
  stepMs: number,
): Promise<SloSample[]> {
  const id = sloIdOf(slo);
  const window = Math.max(10_000, stepMs * 2);
  const [ratio, burns] = await Promise.all([
    prom.range(sliErrorRatioExpr(slo, rangeOf(window)), from, to, stepMs),
    prom.range(`{__name__=~"slo:sli_error:ratio_rate.+", sloth_id="${id}"}`, from, to, stepMs),
  ]);
  const byTime = new Map<number, SloSample>();
  const sample = (at: number) => {
    let s = byTime.get(at);
    if (!s) byTime.set(at, (s = { slo: id, at, sli: null, errorRatio: null, burnRate: {} }));
    return s;
  };
  for (const [at, v] of ratio[0]?.points ?? []) {
    const s = sample(at);
    s.errorRatio = v;
    s.sli = 1 - v;
  }
  for (const series of burns) {
    const w = (series.labels.__name__ ?? '').replace('slo:sli_error:ratio_rate', '');
    for (const [at, v] of series.points) sample(at).burnRate[w] = burnRate(v, slo.objective);
  }
  return [...byTime.values()].sort((a, b) => a.at - b.at);
}

/** Every alert that fired in [from, to] (ALERTS series), as firing intervals. */
export async function alertsIn(
  prom: PrometheusClient,
  from: number,
  to: number,
  stepMs: number,
  faults: readonly FaultWindow[],
  graceMs: number,
): Promise<AlertRecord[]> {
  const series = await prom.range('ALERTS{alertstate="firing"}', from, to, stepMs);
  return series.map((s) => {
    const { __name__: _n, alertstate: _s, ...labels } = s.labels;
    const firing: AlertRecord['firing'] = [];
    for (const [at] of s.points) {
      const last = firing[firing.length - 1];
      if (last && last.end !== undefined && at - last.end <= stepMs * 1.5) last.end = at;
      else firing.push({ start: at, end: at });
    }
    const lastPoint = s.points[s.points.length - 1]?.[0];
    // Still firing at the end of the range: open interval.
    if (lastPoint !== undefined && to - lastPoint < stepMs * 1.5)
      delete firing[firing.length - 1]!.end;
    return {
      name: labels.alertname ?? 'unknown',
      labels,
      ...(labels.severity ? { severity: labels.severity } : {}),
      firing,
      duringFaults: [...new Set(firing.flatMap((f) => faultsAt(f.start, faults, graceMs)))],
    };
  });
}

/** Error ratio of `slo` over [from, to], evaluated at `to`; null without data. */
async function ratioOver(prom: PrometheusClient, slo: Slo, from: number, to: number) {
  if (to - from < 4000) return null;
  return prom.scalar(sliErrorRatioExpr(slo, rangeOf(to - from)), to);
}

/** Client-side events of the SLO's routes (what the budget burn is event-weighted by). */
export function clientEvents(
  slo: Slo,
  history: readonly HistoryRecord[],
): { total: number; bad: number } {
  const norm = (r: string) => r.replace(/:[A-Za-z]+/g, ':');
  const sli = slo.sli;
  const routes =
    sli.kind === 'ratio' ? undefined : sli.routes.map((r) => `${r.method} ${norm(r.route)}`);
  let total = 0;
  let bad = 0;
  for (const r of history) {
    if (r.outcome === 'dropped') continue;
    if (routes && !routes.includes(`${r.method} ${norm(r.route)}`)) continue;
    total++;
    const failed =
      r.outcome === 'unknown' ||
      (r.outcome === 'error' && (r.status === undefined || r.status >= 500));
    const slow =
      sli.kind === 'latency' &&
      r.startedAt !== undefined &&
      r.endedAt !== undefined &&
      r.endedAt - r.startedAt > sli.thresholdSeconds * 1000;
    if (sli.kind === 'latency' ? slow || failed : failed) bad++;
  }
  return { total, bad };
}

export async function sloVerdict(
  prom: PrometheusClient,
  slo: Slo,
  phases: readonly PhaseWindow[],
  samples: readonly SloSample[],
  alerts: readonly AlertRecord[],
  faults: readonly FaultWindow[],
  history: readonly HistoryRecord[],
  o: { recoveryEvaluations: number; graceMs: number },
): Promise<SloVerdict> {
  const loadPhases = phases.filter(
    (p) => p.name === 'baseline' || p.name === 'chaos' || p.name === 'recovery',
  );
  const from = loadPhases[0]?.startedAt ?? Date.now();
  const to = loadPhases[loadPhases.length - 1]?.endedAt ?? Date.now();
  const overallRatio = await ratioOver(prom, slo, from, to);
  const byPhase: SloVerdict['sli']['byPhase'] = {};
  for (const p of loadPhases) {
    const r = await ratioOver(prom, slo, p.startedAt, p.endedAt ?? to);
    byPhase[p.name as SliPhaseName] = r === null ? null : 1 - r;
  }
  const worstBurnRate: SloVerdict['worstBurnRate'] = {};
  for (const s of samples)
    for (const [w, v] of Object.entries(s.burnRate)) {
      if (v === null) continue;
      const cur = worstBurnRate[w];
      if (!cur || v > cur.value) worstBurnRate[w] = { value: v, at: s.at };
    }
  const overall = overallRatio === null ? null : 1 - overallRatio;
  return {
    slo: sloIdOf(slo),
    objective: slo.objective,
    met: overall === null ? null : overall >= slo.objective,
    sli: { overall, byPhase },
    events: clientEvents(slo, history),
    budget: budgetBurn(overallRatio, slo.objective, to - from),
    worstBurnRate,
    detection: faults.map((f) => timeToDetect(f, alerts, slo.name, o.graceMs, slo.service)),
    recovery: faults.map((f) =>
      timeToRecover(
        f,
        samples.map((s) => ({ at: s.at, sli: s.sli })),
        slo.objective,
        o.recoveryEvaluations,
      ),
    ),
  };
}
