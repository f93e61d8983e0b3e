/**
 * The client history (JSON Lines from the load generator) and what the journal and the fault
 * judgement need from it: per-interval counts, error share and p99, and the same over a window.
 */
import { readFile } from 'node:fs/promises';
import type { HistoryRecord } from '@faultline/load/history';
import type { ClientSample } from './journal.js';

export type { HistoryRecord };

/** Every record of a history file; a line that is not JSON is an error naming the line. */
export async function readHistory(file: string): Promise<HistoryRecord[]> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  const out: HistoryRecord[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as HistoryRecord);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON history record`);
    }
  }
  return out;
}

/** Error share and p99 of requests scheduled in [from, to). */
export function windowStats(
  records: readonly HistoryRecord[],
  from: number,
  to: number,
): Omit<ClientSample, 'at' | 'intervalMs'> {
  let requests = 0;
  let errors = 0;
  let unknown = 0;
  let dropped = 0;
  const latencies: number[] = [];
  for (const r of records) {
    if (r.scheduledAt < from || r.scheduledAt >= to) continue;
    if (r.outcome === 'dropped') {
      dropped++;
      continue;
    }
    requests++;
    if (r.outcome === 'error') errors++;
    if (r.outcome === 'unknown') unknown++;
    if (r.status !== undefined && r.startedAt !== undefined && r.endedAt !== undefined)
      latencies.push(r.endedAt - r.startedAt);
  }
  return {
    requests,
    errors,
    unknown,
    dropped,
    errorShare: requests === 0 ? null : (errors + unknown) / requests,
    p99Ms: quantile(latencies, 0.99),
  };
}

/** Client samples every `intervalMs` from `from` to `to`. */
export function clientTimeline(
  records: readonly HistoryRecord[],
  from: number,
  to: number,
  intervalMs: number,
): ClientSample[] {
  const buckets = new Map<number, HistoryRecord[]>();
  for (const r of records) {
    if (r.scheduledAt < from || r.scheduledAt >= to) continue;
    const k = Math.floor((r.scheduledAt - from) / intervalMs);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(r);
  }
  const out: ClientSample[] = [];
  for (let k = 0; from + k * intervalMs < to; k++) {
    const at = from + k * intervalMs;
    out.push({ at, intervalMs, ...windowStats(buckets.get(k) ?? [], at, at + intervalMs) });
  }
  return out;
}

/** Nearest-rank quantile; null for no values. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
