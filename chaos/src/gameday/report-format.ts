/**
 * Number and time formatting shared by the game-day reports, so the Markdown, JUnit and HTML
 * reports say the same figure the same way. `null` always reads "no data", never 0.
 */
import type { Journal } from './journal.js';

/** What every report prints for a missing figure. */
export const NO_DATA = 'no data';

/** A share as a percentage with enough digits to tell 99.9 % from 99.95 %. */
export function percent(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_DATA;
  return `${(value * 100).toFixed(digits).replace(/\.?0+$/, '')} %`;
}

/** A duration in the unit people read: 850 ms, 12.3 s, 4 min 05 s. */
export function duration(msValue: number | null | undefined): string {
  if (msValue === null || msValue === undefined || !Number.isFinite(msValue)) return NO_DATA;
  const abs = Math.abs(msValue);
  const sign = msValue < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${sign}${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A plain number with at most `digits` decimals (burn rates, counts). */
export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_DATA;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** An instant as an offset from the game day's start, `+mm:ss.s`, the reports' time axis. */
export function offset(journal: Journal, at: number | null | undefined): string {
  if (at === null || at === undefined || !Number.isFinite(at)) return NO_DATA;
  const rel = at - journal.startedAt;
  const sign = rel < 0 ? '-' : '+';
  const abs = Math.abs(rel);
  const minutes = Math.floor(abs / 60_000);
  const seconds = (abs % 60_000) / 1000;
  return `${sign}${String(minutes).padStart(2, '0')}:${seconds.toFixed(1).padStart(4, '0')}`;
}

/** An instant as UTC ISO 8601 (the absolute anchor printed once per report). */
export function isoTime(at: number): string {
  return new Date(at).toISOString();
}

/** Fault window length, or "never applied" / "not recovered" when the engine says so. */
export function faultSpan(fault: { startedAt?: number; endedAt?: number }): string {
  if (fault.startedAt === undefined) return 'never applied';
  if (fault.endedAt === undefined) return 'not recovered';
  return duration(fault.endedAt - fault.startedAt);
}

/** The link to a trace in a UI: the journal's own URL, else Jaeger's UI when the journal names one. */
export function traceLink(
  journal: Journal,
  trace: { traceId: string; url?: string },
): string | undefined {
  if (trace.url) return trace.url;
  const ui = journal.links.jaegerUi;
  return ui ? `${ui.replace(/\/+$/, '')}/trace/${encodeURIComponent(trace.traceId)}` : undefined;
}

/** The trace as JSON from Jaeger's query API, for when there is no UI to link to. */
export function traceApiLink(journal: Journal, trace: { traceId: string }): string | undefined {
  const api = journal.links.jaeger;
  return api
    ? `${api.replace(/\/+$/, '')}/api/traces/${encodeURIComponent(trace.traceId)}`
    : undefined;
}

/** Window labels (`5s`, `1h`, `30d`) shortest first, so burn rates read in order. */
export function byWindowLength<T>(entries: [string, T][]): [string, T][] {
  const seconds = (w: string) => {
    const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(w);
    const unit = { s: 1, m: 60, h: 3600, d: 86400 } as const;
    return m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : Infinity;
  };
  return [...entries].sort((a, b) => seconds(a[0]) - seconds(b[0]));
}

/** The SLO an alert is about, as the Sloth id the verdicts use (`<service>-<name>`). */
export function alertSlo(alert: { labels: Record<string, string> }): string {
  const { sloth_id: id, sloth_service: service, sloth_slo: slo } = alert.labels;
  return id ?? (service && slo ? `${service}-${slo}` : (slo ?? ''));
}

/**
 * Requests sent in each load phase, from the client timeline: a phase with none means the
 * hypothesis went untested there (load stopped early), whatever the SLI says.
 */
export function requestsByPhase(journal: Journal): { phase: string; requests: number }[] {
  return journal.phases
    .filter((p) => p.name === 'baseline' || p.name === 'chaos' || p.name === 'recovery')
    .map((p) => ({
      phase: p.name,
      requests: journal.timeline.client
        .filter((c) => c.at >= p.startedAt && c.at < (p.endedAt ?? journal.endedAt))
        .reduce((n, c) => n + c.requests, 0),
    }));
}
