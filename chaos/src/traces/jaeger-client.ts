/**
 * A small client for Jaeger's query API (`/api/traces`, `/api/services`), the one the Jaeger
 * UI itself uses and every Jaeger (v1 and v2, local build or official image) serves. Responses
 * are checked with a schema, so a changed API is an error that names the field, not a crash.
 */
import { z } from 'zod';

/** One span, flattened: Jaeger's references, tags and process folded into plain fields. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  /** The CHILD_OF (else FOLLOWS_FROM) reference; undefined for a root span. */
  parentSpanId: string | undefined;
  /** `service.name` of the process that made the span. */
  service: string;
  name: string;
  /** `server`, `client`, `internal`, `producer`, `consumer` when the span says. */
  kind: string | undefined;
  /** Epoch microseconds. */
  startMicros: number;
  durationMicros: number;
  attributes: Record<string, string | number | boolean>;
  /** OpenTelemetry status: error when the span set it (or the legacy `error` tag), else ok/unset. */
  status: { code: 'ok' | 'error' | 'unset'; message?: string };
}

export interface Trace {
  traceId: string;
  spans: TraceSpan[];
}

export interface FindTracesQuery {
  service: string;
  /** How far back to look: milliseconds, or a duration such as `5m`, `30s`. */
  since: number | string;
  /** At most this many traces (Jaeger's `limit`; default 20). */
  limit?: number;
  /** Only traces with a span at least this long: milliseconds, or `250ms`, `1s`. */
  minDuration?: number | string;
  /** Only spans with this operation name. */
  operation?: string;
  /** Only traces with a span carrying all these tags (e.g. `{ 'faultline.experiment': id }`). */
  tags?: Record<string, string>;
}

/** Jaeger answered with an error, or with a body that is not what the query API returns. */
export class JaegerQueryError extends Error {
  readonly isJaegerQueryError = true;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isJaegerQueryError(e: unknown): e is JaegerQueryError {
  return (e as { isJaegerQueryError?: unknown } | null)?.isJaegerQueryError === true;
}

const TagSchema = z.object({
  key: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
});
const SpanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z
    .array(z.object({ refType: z.string(), spanID: z.string(), traceID: z.string().optional() }))
    .nullish(),
  startTime: z.number(),
  duration: z.number(),
  tags: z.array(TagSchema).nullish(),
  processID: z.string(),
});
const TraceSchema = z.object({
  traceID: z.string(),
  spans: z.array(SpanSchema),
  processes: z.record(z.string(), z.object({ serviceName: z.string() })),
});
const TracesResponseSchema = z.object({
  data: z.array(TraceSchema).nullish(),
  errors: z.array(z.object({ code: z.number().optional(), msg: z.string() })).nullish(),
});
const ServicesResponseSchema = z.object({ data: z.array(z.string()).nullish() });

type JaegerTrace = z.infer<typeof TraceSchema>;

const DURATION = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** Milliseconds for `5m`, `250ms`, `1.5s` (or a number of milliseconds as it is). */
export function durationMs(d: number | string, what: string): number {
  if (typeof d === 'number') return d;
  const m = DURATION.exec(d.trim());
  if (!m)
    throw new JaegerQueryError(
      `${what}: expected a duration such as 5m, 30s or 250ms (got "${d}")`,
    );
  return Number(m[1]) * (UNIT_MS[m[2]!] ?? 1);
}

export class JaegerClient {
  readonly baseUrl: string;

  /** `baseUrl`: the query API's base, e.g. `http://127.0.0.1:16686` (state file `urls.jaeger`). */
  constructor(
    baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Services that have reported spans. */
  async services(): Promise<string[]> {
    const body = await this.#get('/api/services');
    return parse(ServicesResponseSchema, body, '/api/services').data ?? [];
  }

  /** Traces of `service` that started within `since`, newest first. */
  async findTraces(q: FindTracesQuery): Promise<Trace[]> {
    const end = Date.now() * 1000;
    const start = end - Math.round(durationMs(q.since, 'since') * 1000);
    const params = new URLSearchParams({
      service: q.service,
      start: String(start),
      end: String(end),
      limit: String(q.limit ?? 20),
    });
    if (q.minDuration !== undefined)
      params.set('minDuration', `${Math.round(durationMs(q.minDuration, 'minDuration') * 1000)}us`);
    if (q.operation) params.set('operation', q.operation);
    if (q.tags) params.set('tags', JSON.stringify(q.tags));
    const body = await this.#get(`/api/traces?${params.toString()}`);
    const traces = parse(TracesResponseSchema, body, '/api/traces').data ?? [];
    return traces.map(toTrace).sort((a, b) => traceStart(b) - traceStart(a));
  }

  /** The whole trace, or undefined when Jaeger has no trace with this id (never had, or evicted). */
  async getTrace(traceId: string): Promise<Trace | undefined> {
    if (!/^[0-9a-f]{1,32}$/i.test(traceId))
      throw new JaegerQueryError(`trace id: expected up to 32 hex digits (got "${traceId}")`);
    const body = await this.#get(`/api/traces/${traceId.toLowerCase()}`, true);
    if (body === undefined) return undefined;
    const trace = parse(TracesResponseSchema, body, '/api/traces/:id').data?.[0];
    return trace ? toTrace(trace) : undefined;
  }

  async #get(path: string, notFoundIsEmpty = false): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new JaegerQueryError(`cannot reach Jaeger's query API at ${url}: ${causeOf(e)}`);
    }
    if (res.status === 404 && notFoundIsEmpty) return undefined;
    const text = await res.text();
    if (!res.ok)
      throw new JaegerQueryError(
        `Jaeger answered ${res.status} to GET ${url}: ${text.slice(0, 300)}`,
        res.status,
      );
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new JaegerQueryError(
        `Jaeger's answer to GET ${url} is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}

/** The earliest span start of a trace (epoch µs). */
export function traceStart(t: Trace): number {
  return Math.min(...t.spans.map((s) => s.startMicros));
}

/** From the earliest start to the latest end, in µs. */
export function traceDurationMicros(t: Trace): number {
  return Math.max(...t.spans.map((s) => s.startMicros + s.durationMicros)) - traceStart(t);
}

function toTrace(t: JaegerTrace): Trace {
  return {
    traceId: t.traceID,
    spans: t.spans.map((s) => {
      const attributes: TraceSpan['attributes'] = {};
      for (const tag of s.tags ?? [])
        if (tag.value !== null && tag.value !== undefined) attributes[tag.key] = tag.value;
      const parent =
        s.references?.find((r) => r.refType === 'CHILD_OF') ??
        s.references?.find((r) => r.refType === 'FOLLOWS_FROM');
      const statusCode = attributes['otel.status_code'];
      const code =
        statusCode === 'ERROR' || attributes.error === true
          ? 'error'
          : statusCode === 'OK'
            ? 'ok'
            : 'unset';
      const message = attributes['otel.status_description'];
      const kind = attributes['span.kind'];
      return {
        traceId: s.traceID,
        spanId: s.spanID,
        parentSpanId: parent?.spanID,
        service: t.processes[s.processID]?.serviceName ?? '?',
        name: s.operationName,
        kind: typeof kind === 'string' ? kind : undefined,
        startMicros: s.startTime,
        durationMicros: s.duration,
        attributes,
        status: { code, ...(typeof message === 'string' ? { message } : {}) },
      };
    }),
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new JaegerQueryError(
    `unexpected answer from Jaeger's ${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
}

function causeOf(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
