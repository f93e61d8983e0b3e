/**
 * A small Prometheus HTTP API client for the game day: instant and range queries, the loaded
 * rule groups (preflight: are the SLO rules there?) and the ALERTS series. Every call is
 * bounded in time; a failed query is an error naming the query, never a silent zero.
 */

export interface RangeSeries {
  labels: Record<string, string>;
  /** [epoch ms, value]; NaN values (0/0 ratios) are kept out. */
  points: [number, number][];
}

interface ApiBody<T> {
  status: string;
  error?: string;
  data?: T;
}

export class PrometheusClient {
  constructor(readonly baseUrl: string) {}

  async #get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as ApiBody<T>;
    if (body.status !== 'success' || body.data === undefined)
      throw new Error(`Prometheus ${path} ${params.query ?? ''}: ${body.error ?? res.status}`);
    return body.data;
  }

  /** Every series of an instant query with its value (NaN kept: callers decide). */
  async instant(
    query: string,
    at?: number,
  ): Promise<{ labels: Record<string, string>; value: number }[]> {
    const data = await this.#get<{ resultType: string; result: unknown }>('/api/v1/query', {
      query,
      ...(at === undefined ? {} : { time: String(at / 1000) }),
    });
    if (data.resultType === 'scalar') {
      const [, v] = data.result as [number, string];
      return [{ labels: {}, value: Number(v) }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
      (r) => ({ labels: r.metric, value: Number(r.value[1]) }),
    );
  }

  /** The single number of an instant query, or null when it returned nothing (or NaN). */
  async scalar(query: string, at?: number): Promise<number | null> {
    const r = await this.instant(query, at);
    const v = r[0]?.value;
    return v === undefined || Number.isNaN(v) ? null : v;
  }

  async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<RangeSeries[]> {
    const data = await this.#get<{
      result: { metric: Record<string, string>; values: [number, string][] }[];
    }>('/api/v1/query_range', {
      query,
      start: String(startMs / 1000),
      end: String(endMs / 1000),
      step: `${Math.max(1, Math.round(stepMs / 1000))}s`,
    });
    return data.result.map((r) => ({
      labels: r.metric,
      points: r.values
        .map(([t, v]) => [t * 1000, Number(v)] as [number, number])
        .filter(([, v]) => !Number.isNaN(v)),
    }));
  }

  /** Names of every rule (recording and alerting) Prometheus has loaded. */
  async ruleNames(): Promise<{ recording: Set<string>; alerting: Set<string> }> {
    const data = await this.#get<{
      groups: { rules: { name: string; type: string }[] }[];
    }>('/api/v1/rules', {});
    const recording = new Set<string>();
    const alerting = new Set<string>();
    for (const g of data.groups)
      for (const r of g.rules) (r.type === 'alerting' ? alerting : recording).add(r.name);
    return { recording, alerting };
  }

  /** Alerts firing now. */
  async firingAlerts(): Promise<{ labels: Record<string, string>; activeAt?: string }[]> {
    const data = await this.#get<{
      alerts: { labels: Record<string, string>; state: string; activeAt?: string }[];
    }>('/api/v1/alerts', {});
    return data.alerts.filter((a) => a.state === 'firing');
  }
}
