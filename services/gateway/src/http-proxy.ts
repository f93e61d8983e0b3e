/**
 * The L7 reverse proxy, on plain node:http: route by path prefix, pick a backend (sticky
 * cookie first), stream the request and the response, and turn every failure into a bounded
 * JSON answer. Per-try timeouts and an overall deadline (propagated downstream in the kit's
 * deadline header); retries only for idempotent requests, to a backend not tried yet, within
 * the upstream's retry budget; a breaker and outlier ejection per backend behind it all.
 */
import {
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { Deadline, DEADLINE_HEADER } from '@faultline/kit/deadline';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { RetryBudget } from '@faultline/kit/retry';
import type { Backend, ResultClass } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import type { HashKeyExtractor } from './hash-key.js';
import type { Picker } from './pickers/picker.js';
import { sendProxyError, writeRawError } from './proxy-errors.js';
import type { StickySessions } from './sticky-sessions.js';

/** One upstream as the proxy sees it; `picker` may be swapped at run time (admin API). */
export interface Upstream {
  readonly name: string;
  readonly prefix: string;
  readonly pool: BackendPool;
  picker: Picker;
  readonly hashKey: HashKeyExtractor;
  readonly sticky: StickySessions | undefined;
  readonly budget: RetryBudget;
}

export interface ProxyOptions {
  upstreams: readonly Upstream[];
  perTryTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  metrics: Metrics;
  logger: Logger;
}

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
/** Upstream answers that mean "try elsewhere" for an idempotent request. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);

const tracer = trace.getTracer('@faultline/gateway');

/** The proxy's server; listen on it yourself. */
export function createProxyServer(opts: ProxyOptions): Server {
  const server = createServer(
    {
      maxHeaderSize: opts.maxHeaderBytes,
      // Slowloris guard: the whole request head must arrive in time.
      headersTimeout: 10_000,
      requestTimeout: Math.max(opts.requestTimeoutMs, 30_000),
      keepAliveTimeout: 65_000,
    },
    createProxyHandler(opts),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // The parser rejected the request before any handler ran: answer in JSON, then close.
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      writeRawError(
        socket,
        431,
        'headers_too_large',
        `request headers exceed ${opts.maxHeaderBytes} bytes`,
        'headers',
      );
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      writeRawError(socket, 408, 'request_timeout', 'request not received in time', 'request');
    } else if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
    } else {
      writeRawError(
        socket,
        400,
        'malformed_request',
        `malformed HTTP request (${err.code ?? 'parse error'})`,
        'request',
      );
    }
  });
  return server;
}

/** Routes by longest prefix and runs one exchange per request. */
function createProxyHandler(
  opts: ProxyOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Longest prefix first, so `/api/v2` wins over `/api` and `/`.
  const routes = [...opts.upstreams].sort((a, b) => b.prefix.length - a.prefix.length);
  return (req, res) => {
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* '/' */) {
      return sendProxyError(
        res,
        400,
        'malformed_request',
        'request target must be an absolute path',
        [
          {
            path: 'url',
            message: `unsupported request target ${JSON.stringify(url.slice(0, 100))}`,
          },
        ],
      );
    }
    const upstream = routes.find((u) => url.startsWith(u.prefix));
    if (!upstream) {
      return sendProxyError(res, 404, 'no_route', `no upstream serves ${url.split('?', 1)[0]}`, [
        { path: 'url', message: 'no upstream prefix matches this path' },
      ]);
    }
    new ProxyExchange(opts, upstream, req, res).start();
  };
}

/** One client request, through all its attempts. */
class ProxyExchange {
  readonly #started = process.hrtime.bigint();
  readonly #deadline: Deadline;
  readonly #retryable: boolean;
  readonly #method: string;
  readonly #stickyToken: string | undefined;
  readonly #tried = new Set<Backend>();
  readonly #span: Span;
  readonly #spanContext: Context;
  #body: Buffer | undefined;
  #streamBody: boolean;
  #attempt = -1;
  #current: Attempt | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #done = false;
  #lastError: { status: number; error: string; message: string; backend: string } | undefined;

  constructor(
    private readonly opts: ProxyOptions,
    private readonly upstream: Upstream,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.#method = req.method ?? 'GET';
    this.#deadline = Deadline.fromHeader(req.headers[DEADLINE_HEADER], opts.requestTimeoutMs);
    this.#retryable =
      opts.maxAttempts > 1 &&
      (IDEMPOTENT.has(this.#method) ||
        (this.#method === 'POST' && req.headers['idempotency-key'] !== undefined));
    this.#streamBody = false;
    this.#stickyToken = upstream.sticky?.tokenOf(req.headers.cookie);
    // No span is active here (the kit never instruments incoming requests): continue the
    // caller's trace from its headers.
    const parent = propagation.extract(context.active(), req.headers);
    this.#span = tracer.startSpan(
      `proxy ${upstream.name}`,
      { kind: SpanKind.INTERNAL, attributes: { 'faultline.gateway.upstream': upstream.name } },
      parent,
    );
    this.#spanContext = trace.setSpan(parent, this.#span);
  }

  start(): void {
    const { req, res, opts } = this;
    opts.metrics.httpServerActive.inc(this.#metricMethod());
    res.once('close', () => this.#finish());
    this.upstream.budget.recordRequest();

    const length = req.headers['content-length'];
    const hasBody =
      (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (length !== undefined && Number(length) > opts.maxBodyBytes) {
      res.setHeader('connection', 'close');
      return this.#fail(
        413,
        'body_too_large',
        `request body exceeds ${opts.maxBodyBytes} bytes`,
        'body',
      );
    }
    const remaining = this.#deadline.remainingMs();
    this.#deadlineTimer = setTimeout(() => this.#onDeadline(), remaining);
    if (!hasBody) return this.#next();
    if (!this.#retryable) {
      // Streamed straight through: it can never be replayed, so it is never retried.
      this.#streamBody = true;
      return this.#next();
    }
    // A retry must replay the body: buffer it, bounded.
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > opts.maxBodyBytes) {
        req.removeAllListeners('data');
        req.resume();
        res.setHeader('connection', 'close');
        this.#fail(
          413,
          'body_too_large',
          `request body exceeds ${opts.maxBodyBytes} bytes`,
          'body',
        );
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (this.#done || res.headersSent) return;
      this.#body = Buffer.concat(chunks, size);
      this.#next();
    });
  }

  /** Picks a backend for the next attempt and sends; answers with an error when none is left. */
  #next(): void {
    if (this.#done) return;
    this.#attempt++;
    const backend = this.#pick();
    if (!backend) {
      if (this.#lastError) {
        const e = this.#lastError;
        return this.#fail(e.status, e.error, e.message, 'upstream', e.backend);
      }
      return this.#fail(
        503,
        'no_backend',
        `upstream ${this.upstream.name} has no available backend`,
        'upstream',
      );
    }
    this.#tried.add(backend);
    this.#current = new Attempt(this, backend, this.#attempt);
  }

  #pick(): Backend | undefined {
    const { pool, picker, sticky } = this.upstream;
    if (this.#attempt === 0 && sticky) {
      const b = sticky.backendFor(this.#stickyToken, pool);
      if (b?.breaker.tryAcquire()) return b;
      if (b) this.#tried.add(b);
    }
    const candidates = pool.eligible();
    const hashKey = picker.name === 'ring-hash' ? this.upstream.hashKey(this.req) : undefined;
    // A half-open breaker admits only a few probes: skip it and pick again if it refuses.
    for (let i = 0; i <= candidates.length; i++) {
      const b = picker.pick(candidates, {
        hashKey,
        exclude: this.#tried.size > 0 ? this.#tried : undefined,
      });
      if (!b) return undefined;
      b.picks.set(picker.name, (b.picks.get(picker.name) ?? 0) + 1);
      if (b.breaker.tryAcquire()) return b;
      this.#tried.add(b);
    }
    return undefined;
  }

  /** Called by an attempt that failed before any response byte reached the client. */
  retryOrFail(backend: Backend, status: number, error: string, message: string): void {
    this.#lastError = { status, error, message, backend: backend.id };
    if (this.#done) return;
    const canRetry =
      this.#retryable &&
      this.#attempt + 1 < this.opts.maxAttempts &&
      !this.#deadline.expired &&
      !this.res.headersSent;
    if (canRetry) {
      if (this.upstream.budget.tryAcquireRetry()) {
        this.upstream.pool.retries.made++;
        return this.#next();
      }
      this.upstream.pool.retries.budgetExhausted++;
    }
    this.#fail(status, error, message, 'upstream', backend.id);
  }

  /** Whether a failed answer with `status` may be retried instead of passed on. */
  mayRetryStatus(status: number): boolean {
    return (
      RETRYABLE_STATUS.has(status) &&
      this.#retryable &&
      this.#attempt + 1 < this.opts.maxAttempts &&
      !this.#deadline.expired
    );
  }

  get request(): IncomingMessage {
    return this.req;
  }
  get response(): ServerResponse {
    return this.res;
  }
  get body(): Buffer | undefined {
    return this.#body;
  }
  get streamBody(): boolean {
    return this.#streamBody;
  }
  get deadline(): Deadline {
    return this.#deadline;
  }
  get perTryTimeoutMs(): number {
    return this.opts.perTryTimeoutMs;
  }
  get maxBodyBytes(): number {
    return this.opts.maxBodyBytes;
  }
  get span(): Span {
    return this.#span;
  }
  /** Context with this exchange's span active: outgoing attempts run (and propagate) in it. */
  get spanContext(): Context {
    return this.#spanContext;
  }
  get pool(): BackendPool {
    return this.upstream.pool;
  }
  get done(): boolean {
    return this.#done;
  }

  /** Response headers for the client: the upstream's minus hop-by-hop, plus a sticky cookie. */
  responseHeaders(backend: Backend, upstreamRes: IncomingMessage): string[] {
    const raw = upstreamRes.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
    }
    const cookie = this.upstream.sticky?.settle(this.#stickyToken, backend, this.upstream.pool);
    if (cookie !== undefined) out.push('Set-Cookie', cookie);
    return out;
  }

  /** Headers for the backend: the client's minus hop-by-hop, plus forwarding and deadline. */
  requestHeaders(): IncomingHttpHeaders {
    const inHeaders = this.req.headers;
    const out: IncomingHttpHeaders = {};
    for (const key in inHeaders) if (!HOP_BY_HOP.has(key)) out[key] = inHeaders[key];
    const connection = inHeaders.connection;
    if (connection && connection !== 'keep-alive' && connection !== 'close') {
      // Headers the client named as hop-by-hop in Connection go no further either.
      for (const name of connection.split(',')) delete out[name.trim().toLowerCase()];
    }
    const peer = this.req.socket.remoteAddress ?? '';
    const xff = inHeaders['x-forwarded-for'];
    out['x-forwarded-for'] = xff ? `${String(xff)}, ${peer}` : peer;
    out['x-forwarded-proto'] ??= 'http';
    out[DEADLINE_HEADER] = this.#deadline.headerValue();
    // W3C trace context for the backend (the http instrumentation, when loaded, overwrites it
    // with its client span, which is a child of ours).
    propagation.inject(this.#spanContext, out);
    if (this.#body !== undefined) out['content-length'] = String(this.#body.length);
    else if (this.#streamBody && inHeaders['transfer-encoding'] !== undefined)
      out['transfer-encoding'] = 'chunked';
    return out;
  }

  /** The answering backend and attempt, onto the span. */
  annotate(backend: Backend): void {
    if (!this.#span.isRecording()) return;
    this.#span.setAttributes({
      'faultline.gateway.backend': backend.id,
      'faultline.gateway.attempt': this.#attempt,
      'faultline.gateway.picker': this.upstream.picker.name,
    });
  }

  #onDeadline(): void {
    this.#deadlineTimer = undefined;
    if (this.#done) return;
    this.#current?.abort('timeout');
    this.#fail(
      504,
      'deadline_exceeded',
      `upstream ${this.upstream.name} did not answer within the deadline`,
      'upstream',
      this.#current?.backend.id,
    );
  }

  #fail(status: number, error: string, message: string, path: string, backend?: string): void {
    if (this.#done) return;
    if (status >= 500) this.#span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    const extra: Record<string, string> = { upstream: this.upstream.name };
    if (backend) extra.backend = backend;
    const detail = backend ? `${message} (backend ${backend})` : message;
    sendProxyError(this.res, status, error, message, [{ path, message: detail }], extra);
  }

  #metricMethod(): string {
    return KNOWN_METHODS.has(this.#method) ? this.#method : '_OTHER';
  }

  /** Runs once, when the client's response closes (finished or aborted). */
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#deadlineTimer);
    // The client went away mid-exchange: stop the backend work too.
    this.#current?.abort('cancelled');
    const method = this.#metricMethod();
    const { metrics } = this.opts;
    metrics.httpServerActive.dec(method);
    const status = this.res.statusCode;
    const labels = {
      http_request_method: method,
      http_route: this.upstream.prefix,
      http_response_status_code: status,
    };
    const seconds = Number(process.hrtime.bigint() - this.#started) / 1e9;
    let traceId: string | undefined;
    if (this.#span.isRecording()) {
      this.#span.setAttribute('http.response.status_code', status);
      traceId = this.#span.spanContext().traceId;
    }
    metrics.httpServerDuration.observe(labels, seconds, traceId);
    this.#span.end();
  }
}

/** One try against one backend. Settles exactly once: that is where accounting happens. */
class Attempt {
  readonly #upstreamReq: ClientRequest;
  #timer: NodeJS.Timeout | undefined;
  #settled = false;
  #responded = false;

  constructor(
    private readonly exchange: ProxyExchange,
    readonly backend: Backend,
    readonly number: number,
  ) {
    const { pool } = exchange;
    pool.acquire(backend);
    exchange.annotate(backend);
    this.#upstreamReq = context.with(exchange.spanContext, () =>
      httpRequest({
        host: backend.host,
        port: backend.port,
        method: exchange.request.method,
        path: exchange.request.url,
        headers: exchange.requestHeaders(),
        agent: backend.agent,
      }),
    );
    const timeout = exchange.deadline.timeoutFor(exchange.perTryTimeoutMs);
    this.#timer = setTimeout(() => this.#onTimeout(), timeout);
    this.#upstreamReq.on('response', (res) => this.#onResponse(res));
    this.#upstreamReq.on('error', (e: NodeJS.ErrnoException) => this.#onError(e));
    const body = exchange.body;
    if (body !== undefined) {
      this.#upstreamReq.end(body);
    } else if (exchange.streamBody) {
      this.#streamRequestBody();
    } else {
      this.#upstreamReq.end();
    }
  }

  /** Stops this attempt (deadline passed, or the client left). */
  abort(result: 'timeout' | 'cancelled'): void {
    if (this.#settled) return;
    this.#settle(result);
    this.#upstreamReq.destroy();
  }

  #streamRequestBody(): void {
    const { request: req, maxBodyBytes } = this.exchange;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.unpipe(this.#upstreamReq);
        this.abort('cancelled');
        this.exchange.response.setHeader('connection', 'close');
        this.exchange.retryOrFail(
          this.backend,
          413,
          'body_too_large',
          `request body exceeds ${maxBodyBytes} bytes`,
        );
      }
    });
    req.pipe(this.#upstreamReq);
  }

  #onTimeout(): void {
    this.#timer = undefined;
    if (this.#responded || this.#settled) return;
    this.#settle('timeout');
    this.#upstreamReq.destroy();
    this.exchange.retryOrFail(
      this.backend,
      504,
      'upstream_timeout',
      `backend did not answer within ${this.exchange.perTryTimeoutMs} ms`,
    );
  }

  #onError(e: NodeJS.ErrnoException): void {
    if (this.#settled) return;
    const connect =
      e.code === 'ECONNREFUSED' ||
      e.code === 'EHOSTUNREACH' ||
      e.code === 'ENETUNREACH' ||
      e.code === 'ETIMEDOUT';
    this.#settle(connect ? 'connect_error' : 'reset');
    if (this.#responded) {
      // Headers are out: the client can only see the truncation.
      this.exchange.response.destroy();
      return;
    }
    this.exchange.retryOrFail(
      this.backend,
      502,
      connect ? 'upstream_connect_error' : 'upstream_reset',
      `backend failed: ${e.code ?? e.message}`,
    );
  }

  #onResponse(res: IncomingMessage): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const status = res.statusCode ?? 502;
    const exchange = this.exchange;
    if (exchange.done || this.#settled) {
      res.resume();
      return;
    }
    if (exchange.mayRetryStatus(status)) {
      res.resume(); // discard, so the socket goes back to the pool
      this.#settle('5xx');
      exchange.retryOrFail(
        this.backend,
        status,
        'upstream_unavailable',
        `backend answered ${status}`,
      );
      return;
    }
    this.#responded = true;
    const client = exchange.response;
    client.writeHead(status, res.statusMessage, exchange.responseHeaders(this.backend, res));
    res.on('error', () => {
      this.#settle('reset');
      client.destroy();
    });
    res.on('aborted', () => {
      this.#settle('reset');
      client.destroy();
    });
    res.once('end', () => this.#settle(classOf(status)));
    res.pipe(client);
  }

  #settle(result: ResultClass): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const { pool } = this.exchange;
    pool.recordResult(this.backend, result);
    pool.release(this.backend);
  }
}

function classOf(status: number): ResultClass {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
}
