/**
 * What a benchmark reports: measured figures, and budgets checked as ratios against a peer
 * measured in the same run (or, where an issue names an absolute bound, that bound).
 */
export interface Budget {
  /** What is being checked, in words: "on/off throughput". */
  name: string;
  value: number;
  op: '>=' | '<=';
  limit: number;
  unit?: string;
  /** What the value is measured against, in the same run: "HAProxy on the same hop". */
  peer?: string;
  /** false: a tracked figure printed with its would-be verdict, not failing the run. */
  gate?: boolean;
}

export interface BenchResult {
  name: string;
  /** Figures worth printing, in order: "rps on" → 12345. */
  figures: Record<string, number | string>;
  budgets: Budget[];
  /** Conditions of the run (sampling ratio, connections, durations...). */
  notes: string[];
}

export interface Benchmark {
  name: string;
  /** One line on what is measured against what. */
  description: string;
  run(): Promise<BenchResult>;
}

export function passed(b: Budget): boolean {
  return b.op === '>=' ? b.value >= b.limit : b.value <= b.limit;
}

/** PASS / FAIL for gates; tracked figures say how they compare without failing the run. */
export function verdict(b: Budget): string {
  if (b.gate === false) return passed(b) ? 'tracked (within)' : 'tracked (outside)';
  return passed(b) ? 'PASS' : 'FAIL';
}

/** A missed gate: the budgets that make `make bench` exit non-zero. */
export function missed(b: Budget): boolean {
  return b.gate !== false && !passed(b);
}

export function formatResult(r: BenchResult): string {
  const lines = [`== ${r.name}`];
  for (const n of r.notes) lines.push(`   ${n}`);
  for (const [k, v] of Object.entries(r.figures))
    lines.push(`   ${k.padEnd(42)} ${typeof v === 'number' ? round(v) : v}`);
  for (const b of r.budgets) {
    lines.push(
      `   ${verdict(b)} ${b.name}: ${round(b.value)}${b.unit ?? ''} (budget ${b.op} ${b.limit}${b.unit ?? ''}${b.peer ? `, peer: ${b.peer}` : ''})`,
    );
  }
  return lines.join('\n');
}

export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 1 ? 2 : 4;
  return Number(v.toFixed(digits));
}

/** Percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
