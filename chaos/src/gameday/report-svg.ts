/**
 * Inline SVG for the HTML report: time-series line charts and lane timelines over one shared
 * time axis, with phases, fault windows and alerts drawn the same way on every chart. Plain
 * strings rendered here keep `report.html` one small offline file (no chart library, no CDN).
 * A `null` value breaks the line (no data is not zero).
 */

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The shared time axis: the window drawn and the instant labels count from. */
export interface TimeAxis {
  from: number;
  to: number;
  /** Labels read `mm:ss` from this instant (the game day's start). */
  origin: number;
}

/** A shaded window (a fault) or a labelled boundary (a phase start). */
export interface Overlay {
  bands: { from: number; to: number; label: string }[];
  phases: { at: number; label: string }[];
  alerts: { from: number; to: number; label: string; severity: string }[];
}

export interface Series {
  name: string;
  color: string;
  points: [at: number, value: number | null][];
}

export interface LineChart {
  id: string;
  title: string;
  series: Series[];
  /** Formats a y-axis value (ticks and the hover read-out). */
  format: (v: number) => string;
  /** Fixed bounds; otherwise from the data. */
  yMin?: number;
  yMax?: number;
  /** Smallest y span drawn (a flat series of zeros reads as 0-1 % rather than 0-100 %). */
  minSpan?: number;
  /** Horizontal reference lines, such as the objective or a burn rate of 1. */
  references?: { value: number; label: string }[];
}

const W = 960;
const H = 230;
const M = { left: 100, right: 16, top: 26, bottom: 30 };
const LANE = 22;

const r1 = (v: number) => Math.round(v * 10) / 10;

function xScale(axis: TimeAxis): (t: number) => number {
  const span = Math.max(1, axis.to - axis.from);
  return (t) => r1(M.left + ((t - axis.from) / span) * (W - M.left - M.right));
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const sign = s < 0 ? '-' : '';
  const abs = Math.abs(s);
  return `${sign}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
}

/** Ticks every "nice" step so that 5 to 12 of them span the axis. */
function timeTicks(axis: TimeAxis): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const span = axis.to - axis.from;
  const step = steps.find((s) => span / s <= 12) ?? 3_600_000;
  const first = axis.origin + Math.ceil((axis.from - axis.origin) / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= axis.to && ticks.length < 50; t += step) ticks.push(t);
  return ticks;
}

function overlaySvg(axis: TimeAxis, overlay: Overlay, top: number, bottom: number): string {
  const x = xScale(axis);
  const parts: string[] = [];
  for (const b of overlay.bands) {
    const x0 = x(Math.max(axis.from, b.from));
    const x1 = x(Math.min(axis.to, b.to));
    parts.push(
      `<rect class="fault-window" x="${x0}" y="${top}" width="${r1(Math.max(1, x1 - x0))}" height="${bottom - top}"><title>${esc(b.label)}</title></rect>`,
    );
  }
  overlay.phases.forEach((p, i) => {
    const at = x(p.at);
    parts.push(`<line class="phase" x1="${at}" x2="${at}" y1="${top}" y2="${bottom}"/>`);
    // A short phase (preflight) would print its label under the next one's: only the later shows.
    const next = overlay.phases[i + 1];
    if (next && x(next.at) - at < 60) return;
    const nearEnd = at > W - M.right - 60;
    parts.push(
      `<text class="phase-label" x="${nearEnd ? at - 3 : at + 3}" y="${top + 10}"${nearEnd ? ' text-anchor="end"' : ''}>${esc(p.label)}</text>`,
    );
  });
  for (const a of overlay.alerts) {
    const x0 = x(Math.max(axis.from, a.from));
    const x1 = x(Math.min(axis.to, a.to));
    parts.push(
      `<g class="alert alert-${esc(a.severity)}"><title>${esc(a.label)}</title>` +
        `<rect x="${x0}" y="${bottom - 4}" width="${r1(Math.max(1, x1 - x0))}" height="4"/>` +
        `<path d="M${x0} ${bottom - 5}l-4 -7h8z"/></g>`,
    );
  }
  return parts.join('');
}

function axisSvg(axis: TimeAxis, top: number, bottom: number): string {
  const x = xScale(axis);
  return timeTicks(axis)
    .map(
      (t) =>
        `<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${bottom}"/>` +
        `<text class="tick" x="${x(t)}" y="${bottom + 14}" text-anchor="middle">${clock(t - axis.origin)}</text>`,
    )
    .join('');
}

/** The path of one series: `M` starts each run of non-null points, so gaps stay gaps. */
export function seriesPath(
  points: [number, number | null][],
  x: (t: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  for (const [at, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(at)} ${r1(y(v))}`;
    pen = true;
  }
  return d;
}

/** One line chart, or a "no data" placeholder that says so (never an empty frame). */
export function lineChartSvg(axis: TimeAxis, overlay: Overlay, chart: LineChart): string {
  const values = chart.series
    .flatMap((s) => s.points.map((p) => p[1]))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const top = M.top;
  const bottom = H - M.bottom;
  const head = `<svg class="chart" id="${esc(chart.id)}" data-chart="${esc(chart.id)}" data-from="${axis.from}" data-to="${axis.to}" data-origin="${axis.origin}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(chart.title)}">`;
  const title = `<text class="chart-title" x="${M.left}" y="16">${esc(chart.title)}</text>`;
  if (values.length === 0)
    return `${head}${title}<text class="no-data" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`;
  let lo = chart.yMin ?? Math.min(...values, ...(chart.references ?? []).map((r) => r.value));
  let hi = chart.yMax ?? Math.max(...values, ...(chart.references ?? []).map((r) => r.value));
  const span = chart.minSpan ?? (Math.abs(hi) * 0.02 || 1);
  if (hi - lo < span) {
    if (chart.yMax === undefined) hi = lo + span;
    else lo = hi - span;
  }
  const pad = (hi - lo) * 0.05;
  if (chart.yMax === undefined) hi += pad;
  if (chart.yMin === undefined) lo -= pad;
  const y = (v: number) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
  const x = xScale(axis);
  const yTicks = [0, 1, 2, 3, 4].map((i) => lo + ((hi - lo) * i) / 4);
  const parts = [head, title, axisSvg(axis, top, bottom), overlaySvg(axis, overlay, top, bottom)];
  for (const v of yTicks)
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r1(y(v))}" y2="${r1(y(v))}"/>` +
        `<text class="tick" x="${M.left - 4}" y="${r1(y(v)) + 4}" text-anchor="end">${esc(chart.format(v))}</text>`,
    );
  const references = new Map<number, string[]>();
  for (const ref of chart.references ?? [])
    references.set(ref.value, [...(references.get(ref.value) ?? []), ref.label]);
  for (const ref of [...references].map(([value, labels]) => ({ value, label: labels.join(', ') })))
    parts.push(
      `<line class="reference" x1="${M.left}" x2="${W - M.right}" y1="${r1(y(ref.value))}" y2="${r1(y(ref.value))}"/>` +
        `<text class="reference-label" x="${W - M.right - 4}" y="${r1(y(ref.value)) - 3}" text-anchor="end">${esc(ref.label)}</text>`,
    );
  chart.series.forEach((s, i) => {
    const d = seriesPath(s.points, x, y);
    if (d)
      parts.push(
        `<path class="series" data-series="${esc(s.name)}" data-points="${s.points.filter((p) => p[1] !== null).length}" d="${d}" stroke="${esc(s.color)}"/>`,
      );
    parts.push(
      `<text class="legend" x="${M.left + 8 + i * 200}" y="${H - 2}" fill="${esc(s.color)}">■ ${esc(s.name)}</text>`,
    );
  });
  parts.push(
    '<line class="cursor" x1="-10" x2="-10" y1="0" y2="0"/><text class="cursor-label" x="-10" y="0"></text></svg>',
  );
  return parts.join('');
}

/** One lane of a timeline: labelled segments on a row. */
export interface Lane {
  name: string;
  segments: { from: number; to: number; label: string; tone: string }[];
}

/** Lanes over the shared axis (leader per term, faults per target). */
export function laneChartSvg(
  axis: TimeAxis,
  overlay: Overlay,
  id: string,
  title: string,
  lanes: Lane[],
): string {
  const top = M.top;
  const height = top + Math.max(1, lanes.length) * LANE + M.bottom;
  const bottom = height - M.bottom;
  const x = xScale(axis);
  const parts = [
    `<svg class="chart lanes" id="${esc(id)}" data-chart="${esc(id)}" data-from="${axis.from}" data-to="${axis.to}" data-origin="${axis.origin}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">`,
    `<text class="chart-title" x="${M.left}" y="16">${esc(title)}</text>`,
  ];
  if (lanes.length === 0) {
    parts.push(
      `<text class="no-data" x="${W / 2}" y="${top + 14}" text-anchor="middle">no data</text></svg>`,
    );
    return parts.join('');
  }
  parts.push(axisSvg(axis, top, bottom), overlaySvg(axis, overlay, top, bottom));
  lanes.forEach((lane, i) => {
    const y = top + i * LANE;
    parts.push(
      `<text class="lane-name" x="${M.left - 4}" y="${y + 15}" text-anchor="end">${esc(lane.name)}</text>`,
    );
    for (const s of lane.segments) {
      const x0 = x(Math.max(axis.from, s.from));
      const w = r1(Math.max(2, x(Math.min(axis.to, s.to)) - x0));
      parts.push(
        `<g class="segment tone-${esc(s.tone)}"><title>${esc(s.label)}</title><rect x="${x0}" y="${y + 3}" width="${w}" height="${LANE - 6}" rx="2"/>` +
          (w > 28
            ? `<text x="${x0 + 3}" y="${y + 15}">${esc(s.label.split(':')[0] ?? '')}</text>`
            : '') +
          '</g>',
      );
    }
  });
  parts.push(
    '<line class="cursor" x1="-10" x2="-10" y1="0" y2="0"/><text class="cursor-label" x="-10" y="0"></text></svg>',
  );
  return parts.join('');
}

/** The chart geometry, exported for the page script (cursor read-out uses the same margins). */
export const CHART_GEOMETRY = {
  width: W,
  left: M.left,
  right: M.right,
  top: M.top,
  bottom: M.bottom,
};
