/**
 * A trace as a terminal waterfall, since the local Jaeger has no web UI: one line per span in
 * tree order (children indented under their parent, by start time), its start offset from the
 * trace's first span, its duration, a bar placed on the trace's time line, its status, and the
 * attributes that matter in faultline (experiment id, fencing token, Redis command, HTTP status).
 */
import { traceDurationMicros, traceStart, type Trace, type TraceSpan } from './jaeger-client.js';

/** Attribute keys shown beside a span (when present), in this order, with a short label. */
export const SHOWN_ATTRIBUTES: readonly (readonly [key: string, label: string])[] = [
  ['faultline.experiment', 'experiment'],
  ['booking.fencing_token', 'fencing_token'],
  ['booking.seat_id', 'seat'],
  ['db.statement', 'redis'],
  ['db.query.text', 'redis'],
  ['http.response.status_code', 'status'],
  ['http.status_code', 'status'],
  ['faultline.gateway.backend', 'backend'],
];

export interface WaterfallOptions {
  /** Characters of the duration bar (default 30). */
  barWidth?: number;
  /** Longest attribute text per span before it is cut (default 60). */
  attributeWidth?: number;
}

/** Spans in tree order with their depth; spans whose parent is not in the trace count as roots. */
export function spanTree(trace: Trace): { span: TraceSpan; depth: number }[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const s of trace.spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMicros - b.startMicros);
  const out: { span: TraceSpan; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      out.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

export function renderWaterfall(trace: Trace, o: WaterfallOptions = {}): string {
  const barWidth = o.barWidth ?? 30;
  const attrWidth = o.attributeWidth ?? 60;
  const t0 = traceStart(trace);
  const total = Math.max(1, traceDurationMicros(trace));
  const rows = spanTree(trace);
  const root = rows[0]?.span;
  const errors = trace.spans.filter((s) => s.status.code === 'error').length;
  const header =
    `trace ${trace.traceId}  ${root ? `${root.service}: ${root.name}` : ''}  ${ms(total)}  ` +
    `${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}${errors ? `, ${errors} error${errors === 1 ? '' : 's'}` : ''}  ` +
    new Date(t0 / 1000).toISOString();
  const cells = rows.map(({ span, depth }) => [
    span.service,
    `${'  '.repeat(depth)}${span.name}`,
    `+${ms(span.startMicros - t0)}`,
    ms(span.durationMicros),
    bar(span.startMicros - t0, span.durationMicros, total, barWidth),
    span.status.code === 'error'
      ? `ERROR${span.status.message ? ` ${span.status.message}` : ''}`
      : span.status.code,
    cut(shownAttributes(span), attrWidth),
  ]);
  const head = [
    'SERVICE',
    'SPAN',
    'START',
    'DURATION',
    'TIMELINE'.padEnd(barWidth + 2),
    'STATUS',
    'ATTRIBUTES',
  ];
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) =>
    r
      .map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  return [header, ...lines.map((l) => `  ${l}`)].join('\n');
}

/** `experiment=lat-1 fencing_token=42 redis="evalsha …"`: the attributes worth a glance. */
export function shownAttributes(span: TraceSpan): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [key, label] of SHOWN_ATTRIBUTES) {
    const v = span.attributes[key];
    if (v === undefined || seen.has(label)) continue;
    seen.add(label);
    const text = String(v);
    parts.push(`${label}=${/\s/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}

/** The span's place on the trace's time line: `|  ████      |`. */
function bar(offset: number, duration: number, total: number, width: number): string {
  const from = Math.min(width - 1, Math.floor((offset / total) * width));
  const len = Math.max(1, Math.min(width - from, Math.round((duration / total) * width)));
  return `|${' '.repeat(from)}${'█'.repeat(len)}${' '.repeat(width - from - len)}|`;
}

/** Microseconds as `0.42 ms`, `12.3 ms`, `1.25 s`. */
export function ms(micros: number): string {
  const m = micros / 1000;
  if (m >= 1000) return `${(m / 1000).toFixed(2)} s`;
  if (m >= 10) return `${m.toFixed(1)} ms`;
  return `${m.toFixed(2)} ms`;
}

function cut(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}
