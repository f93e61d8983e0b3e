/**
 * The slowest traces of each fault window, from Jaeger's query API (when the platform has a
 * Jaeger): a handful per window, with their root span, so a report can point at the requests
 * that suffered most (the local Jaeger build has no UI, so no links are made).
 */
import { JaegerClient, traceDurationMicros, traceStart } from '../traces/jaeger-client.js';
import type { FaultTraces, FaultWindow, TraceSummary } from './journal.js';

export async function slowestTraces(
  jaegerUrl: string,
  services: readonly string[],
  faults: readonly FaultWindow[],
  perWindow = 5,
): Promise<FaultTraces[]> {
  const client = new JaegerClient(jaegerUrl);
  const out: FaultTraces[] = [];
  for (const f of faults) {
    if (f.startedAt === undefined) continue;
    const from = f.startedAt;
    const to = f.endedAt ?? Date.now();
    const found = new Map<string, TraceSummary>();
    for (const service of services) {
      const traces = await client
        .findTraces({ service, since: Date.now() - from + 1000, limit: 200 })
        .catch(() => []);
      for (const t of traces) {
        const start = traceStart(t) / 1000;
        if (start < from || start > to || found.has(t.traceId)) continue;
        const root = t.spans.find((s) => s.parentSpanId === undefined) ?? t.spans[0];
        if (!root) continue;
        found.set(t.traceId, {
          traceId: t.traceId,
          durationMs: traceDurationMicros(t) / 1000,
          startedAt: start,
          rootSpan: { service: root.service, name: root.name },
          spanCount: t.spans.length,
          hasError: t.spans.some((s) => s.status.code === 'error'),
        });
      }
    }
    out.push({
      experimentId: f.experimentId,
      traces: [...found.values()].sort((a, b) => b.durationMs - a.durationMs).slice(0, perWindow),
    });
  }
  return out;
}
