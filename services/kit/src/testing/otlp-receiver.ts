/**
 * An OTLP/HTTP trace receiver for tests: accepts what the OTLP JSON exporter posts to
 * `/v1/traces` and keeps the spans, flattened, so a test can assert on real exported data.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
  /** OTLP status: code 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
}

export interface OtlpReceiver {
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Export requests and bytes received (also with `discard`). */
  readonly counts: { requests: number; bytes: number };
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttr {
  key: string;
  value: OtlpValue;
}

const plain = (v: OtlpValue): string | number | boolean | undefined =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.doubleValue ??
  v.boolValue;
const attrs = (list: OtlpAttr[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, plain(a.value)]));

const statusOf = (raw: unknown): ReceivedSpan['status'] => {
  const s = (raw ?? {}) as { code?: number | string; message?: string };
  // The JSON exporter writes the enum as a number; accept its name too.
  const code =
    s.code === 'STATUS_CODE_ERROR' ? 2 : s.code === 'STATUS_CODE_OK' ? 1 : Number(s.code ?? 0);
  return s.message ? { code, message: s.message } : { code };
};

export interface OtlpReceiverOptions {
  /**
   * Count requests and bytes but keep no spans (no JSON parsing): for benchmarks, where the
   * receiver's own work must not be charged to the service under test.
   */
  discard?: boolean;
}

export async function startOtlpReceiver(opts: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const counts = { requests: 0, bytes: 0 };
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      counts.bytes += chunks.reduce((n, c) => n + c.length, 0);
      if (req.url === '/v1/traces' && req.method === 'POST' && !opts.discard) {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as {
            resourceSpans?: {
              resource?: { attributes?: OtlpAttr[] };
              scopeSpans?: { spans?: Record<string, unknown>[] }[];
            }[];
          };
          for (const rs of body.resourceSpans ?? []) {
            const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
            for (const ss of rs.scopeSpans ?? []) {
              for (const s of ss.spans ?? []) {
                spans.push({
                  service,
                  traceId: String(s.traceId),
                  spanId: String(s.spanId),
                  parentSpanId:
                    typeof s.parentSpanId === 'string' && s.parentSpanId
                      ? s.parentSpanId
                      : undefined,
                  name: String(s.name),
                  kind: Number(s.kind),
                  attributes: attrs(s.attributes as OtlpAttr[]),
                  status: statusOf(s.status),
                });
              }
            }
          }
        } catch {
          res.writeHead(400).end();
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    counts,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
