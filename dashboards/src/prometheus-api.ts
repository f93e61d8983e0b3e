/** The few Prometheus HTTP API calls the dashboard checks make. */

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

async function get<T>(base: string, path: string, params: Record<string, string | string[]>) {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params))
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = (await res.json()) as ApiResponse<T>;
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.statusText}`);
  return body.data;
}

export interface Exemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}

export class PrometheusApi {
  constructor(readonly base: string) {}

  async queryRange(expr: string, start: number, end: number, stepSeconds: number) {
    const data = await get<{ result: RangeSeries[] }>(this.base, '/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(stepSeconds),
    });
    return data.result;
  }

  /** Exemplars of the series `expr` selects between start and end (epoch seconds). */
  async exemplars(expr: string, start: number, end: number) {
    return get<{ seriesLabels: Record<string, string>; exemplars: Exemplar[] }[]>(
      this.base,
      '/api/v1/query_exemplars',
      { query: expr, start: String(start), end: String(end) },
    );
  }

  /** Values of `label` on series of `metric` between start and end (epoch seconds). */
  labelValues(label: string, metric: string, start: number, end: number): Promise<string[]> {
    return get<string[]>(this.base, `/api/v1/label/${encodeURIComponent(label)}/values`, {
      'match[]': metric,
      start: String(start),
      end: String(end),
    });
  }

  /** Every metric name with samples in the TSDB (`__name__` values). */
  metricNames(): Promise<string[]> {
    return get<string[]>(this.base, '/api/v1/label/__name__/values', {});
  }

  /**
   * The series names the current targets declare in their metadata, HELP/TYPE included for
   * families without samples yet (a labelled counter before its first increment).
   */
  async targetMetricNames(): Promise<string[]> {
    const data = await get<{ metric: string; type: string }[]>(
      this.base,
      '/api/v1/targets/metadata',
      {},
    );
    return data.flatMap(({ metric, type }) => seriesNames(metric, type));
  }
}

/** Series names of a metric family as Prometheus stores them. */
function seriesNames(family: string, type: string): string[] {
  switch (type) {
    case 'counter':
      // OpenMetrics names the family without `_total`; the classic text format with it.
      return [family.endsWith('_total') ? family : `${family}_total`, family];
    case 'histogram':
      return [`${family}_bucket`, `${family}_count`, `${family}_sum`];
    case 'summary':
      return [family, `${family}_count`, `${family}_sum`];
    default:
      return [family];
  }
}
