/**
 * The end-of-run summary in the shape of k6's `--summary-export` JSON (so tools reading k6's
 * file read ours): `root_group.checks`, `metrics.<name>` with trend stats in ms or
 * count/rate/passes/fails, and `thresholds` whose boolean is — as in k6's export — `true` when
 * the threshold FAILED. Plus `state`, and `faultline` with what k6 does not have.
 */
import { createHash } from 'node:crypto';
import type { CompiledScenario } from './compiled-scenario.js';
import { type RunStats, trendStats } from './run-stats.js';
import { parseMetricKey, type ThresholdResult } from './threshold-eval.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
export const CHECK_NAME = 'status < 500';
const TREND_STATS = [50, 90, 95, 99] as const;

/** k6's summary-export shape, plus our own `faultline` section. */
export interface LoadSummary {
  root_group: {
    name: '';
    path: '';
    id: string;
    groups: [];
    checks: { name: string; path: string; id: string; passes: number; fails: number }[];
  };
  options: { summaryTrendStats: string[]; summaryTimeUnit: ''; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, Record<string, unknown> & { thresholds?: Record<string, boolean> }>;
  faultline: {
    scenario: string;
    target: string;
    /** Requests scheduled and started; achieved rate = requests started within the schedule's span ÷ that span (req/s). */
    scheduled: number;
    started: number;
    achievedRate: number;
    targetRate: number;
    /** Outcomes over all scheduled requests (`dropped` included). */
    outcomes: Record<'ok' | 'error' | 'unknown' | 'dropped', number>;
    /** How late requests started against their schedule, ms. */
    scheduleLagMs: { p50: number; p99: number; max: number };
    thresholds: ThresholdResult[];
    /** True when a threshold with abortOnFail ended the run early. */
    aborted: boolean;
    historyFile?: string;
  };
}

export interface SummaryInputs {
  scenario: CompiledScenario;
  target: string;
  stats: RunStats;
  thresholds: ThresholdResult[];
  elapsedMs: number;
  scheduled: number;
  started: number;
  /** Requests started before the schedule's end (what the achieved rate counts). */
  startedOnTime: number;
  scheduleMs: number;
  targetRate: number;
  outcomes: LoadSummary['faultline']['outcomes'];
  scheduleLagsMs: number[];
  aborted: boolean;
  historyFile?: string;
}

export function buildSummary(i: SummaryInputs): LoadSummary {
  const { stats, elapsedMs } = i;
  const secs = elapsedMs / 1000;
  const all = stats.stepsMatching({});
  const trend = (steps: Set<number>) => {
    const t = trendStats(stats.durationsOf(steps));
    return {
      avg: t.avg,
      min: t.min,
      med: t.med,
      max: t.max,
      ...Object.fromEntries(TREND_STATS.map((p) => [`p(${p})`, t.percentile(p)])),
    };
  };
  const failed = (steps: Set<number>) => {
    const f = stats.failures(steps);
    return {
      passes: f.failed,
      fails: f.total - f.failed,
      value: f.total === 0 ? 0 : f.failed / f.total,
    };
  };
  const metrics: LoadSummary['metrics'] = {
    http_reqs: { count: stats.completed, rate: secs > 0 ? stats.completed / secs : 0 },
    http_req_duration: trend(all),
    http_req_failed: failed(all),
    iterations: { count: stats.completed, rate: secs > 0 ? stats.completed / secs : 0 },
    dropped_iterations: { count: stats.dropped, rate: secs > 0 ? stats.dropped / secs : 0 },
    checks: {
      passes: stats.checksPassed,
      fails: stats.completed - stats.checksPassed,
      value: stats.completed === 0 ? 0 : stats.checksPassed / stats.completed,
    },
  };
  for (const r of i.thresholds) {
    if (!metrics[r.metric]) {
      const { name, filter } = parseMetricKey(r.metric);
      const steps = stats.stepsMatching(filter);
      metrics[r.metric] = name === 'http_req_duration' ? trend(steps) : failed(steps);
    }
    const m = metrics[r.metric]!;
    m.thresholds = { ...m.thresholds, [r.expression]: !r.ok };
  }
  const lag = trendStats(i.scheduleLagsMs);
  return {
    root_group: {
      name: '',
      path: '',
      id: md5(''),
      groups: [],
      checks: [
        {
          name: CHECK_NAME,
          path: `::${CHECK_NAME}`,
          id: md5(`::${CHECK_NAME}`),
          passes: stats.checksPassed,
          fails: stats.completed - stats.checksPassed,
        },
      ],
    },
    options: {
      summaryTrendStats: ['avg', 'min', 'med', 'max', ...TREND_STATS.map((p) => `p(${p})`)],
      summaryTimeUnit: '',
      noColor: !process.stdout.isTTY,
    },
    state: {
      isStdOutTTY: Boolean(process.stdout.isTTY),
      isStdErrTTY: Boolean(process.stderr.isTTY),
      testRunDurationMs: elapsedMs,
    },
    metrics,
    faultline: {
      scenario: i.scenario.name,
      target: i.target,
      scheduled: i.scheduled,
      started: i.started,
      achievedRate: i.scheduleMs > 0 ? i.startedOnTime / (i.scheduleMs / 1000) : 0,
      targetRate: i.targetRate,
      outcomes: i.outcomes,
      scheduleLagMs: { p50: lag.med, p99: lag.percentile(99), max: lag.max },
      thresholds: i.thresholds,
      aborted: i.aborted,
      ...(i.historyFile ? { historyFile: i.historyFile } : {}),
    },
  };
}

/** True when every threshold passed (exit 0); false → exit 99, as k6. */
export function thresholdsPassed(s: LoadSummary): boolean {
  return s.faultline.thresholds.every((t) => t.ok);
}

/** k6-like end-of-test text: thresholds with ✓/✗, then the metrics. */
export function formatSummary(s: LoadSummary): string {
  const f = s.faultline;
  const ms = (v: unknown) => `${Number(v).toFixed(2)}ms`;
  const lines = [
    `  scenario ${f.scenario} → ${f.target}`,
    `  scheduled ${f.scheduled}, started ${f.started} (${f.achievedRate.toFixed(1)}/s of ${f.targetRate.toFixed(1)}/s), ` +
      `ok ${f.outcomes.ok}, error ${f.outcomes.error}, unknown ${f.outcomes.unknown}, dropped ${f.outcomes.dropped}`,
    `  schedule lag p50=${f.scheduleLagMs.p50.toFixed(2)}ms p99=${f.scheduleLagMs.p99.toFixed(2)}ms max=${f.scheduleLagMs.max.toFixed(2)}ms`,
    '',
    '  THRESHOLDS',
  ];
  if (f.thresholds.length === 0) lines.push('    (none)');
  for (const t of f.thresholds) {
    const shown = t.metric.startsWith('http_req_duration')
      ? ms(t.value)
      : `${(t.value * 100).toFixed(3)}%`;
    lines.push(
      `    ${t.ok ? '✓' : '✗'} ${t.metric} '${t.expression}' ${shown}${t.abortOnFail ? ' (abortOnFail)' : ''}`,
    );
  }
  const d = s.metrics.http_req_duration!;
  const fr = s.metrics.http_req_failed!;
  const c = s.root_group.checks[0]!;
  lines.push(
    '',
    `  checks.........................: ${c.passes}/${c.passes + c.fails} ${c.name}`,
    `  http_req_duration..............: avg=${ms(d.avg)} min=${ms(d.min)} med=${ms(d.med)} max=${ms(d.max)} p(90)=${ms(d['p(90)'])} p(95)=${ms(d['p(95)'])} p(99)=${ms(d['p(99)'])}`,
    `  http_req_failed................: ${(Number(fr.value) * 100).toFixed(2)}% ${String(fr.passes)} of ${Number(fr.passes) + Number(fr.fails)}`,
    `  http_reqs......................: ${String(s.metrics.http_reqs!.count)} ${Number(s.metrics.http_reqs!.rate).toFixed(1)}/s`,
    `  dropped_iterations.............: ${String(s.metrics.dropped_iterations!.count)}`,
  );
  if (f.aborted) lines.push('', '  the run was aborted by a threshold with abortOnFail');
  return lines.join('\n');
}
