/**
 * One client request through all its attempts: its deadline, the backends it tried, whether
 * it may be retried, the error it answers with when nothing is left, and its telemetry (one
 * span, one RED observation) when the client's response closes.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { Deadline, DEADLINE_HEADER } from '@faultline/kit/deadline';
import { sampleIncomingRequest } from '@faultline/kit/server-sampling';
import type { Backend } from './backend.js';
import { chooseBackend } from './backend-choice.js';
import type { BackendPool } from './backend-pool.js';
import type { ProxyOptions, Upstream } from './http-proxy.js';
import { Attempt } from './proxy-attempt.js';
import { sendProxyError } from './proxy-errors.js';
import {
  backendRequestHeaders,
  clientResponseHeaders,
  outgoingInstrumented,
  type OutgoingTrace,
} from './proxy-headers.js';
import { bufferRequestBody, StreamedBody } from './request-body.js';
import { isIdempotent, isRetryableStatus, type RetryReason } from './retry-policy.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

const tracer = trace.getTracer('@faultline/gateway');
/** The span of an exchange the gateway neither records nor runs in a context (unsampled root). */
const UNTRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** An attempt that failed before any response byte reached the client. */
export interface AttemptFailure {
  readonly backend: Backend;
  readonly status: number;
  readonly error: string;
  readonly message: string;
  readonly reason: RetryReason;
  /** Provably never reached the backend: safe to send elsewhere whatever the method. */
  readonly neverSent: boolean;
}

export class ProxyExchange {
  readonly #started = process.hrtime.bigint();
  readonly #deadline: Deadline;
  /** Repeating the request is harmless, so any failed attempt may be retried. */
  readonly #retryable: boolean;
  readonly #method: string;
  readonly #stickyToken: string | undefined;
  readonly #tried = new Set<Backend>();
  readonly #span: Span;
  /** What the backend is told of the trace: the exchange's context, or a bare traceparent. */
  readonly #trace: OutgoingTrace;
  #body: Buffer | undefined;
  #streamedBody: StreamedBody | undefined;
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
    this.#retryable = opts.maxAttempts > 1 && isIdempotent(this.#method, req.headers);
    this.#stickyToken = upstream.sticky?.tokenOf(req.headers.cookie);
    // No span is active here (the kit never instruments incoming requests): continue the
    // caller's trace from its headers. The kit's head sampling decides first, so the nine
    // requests in ten that are not sampled never reach the SDK (its startSpan, sampler and
    // self-metrics measured ~10 µs per request here for a span it then drops); an unsampled
    // request without a caller's trace gets only a traceparent to pass on, no context at all.
    const incoming = sampleIncomingRequest(req.headers, outgoingInstrumented());
    if (incoming.unsampledRoot !== undefined) {
      this.#span = UNTRACED;
      this.#trace = incoming.unsampledRoot;
    } else if (incoming.sampling.sampled) {
      this.#span = tracer.startSpan(
        `proxy ${upstream.name}`,
        { kind: SpanKind.INTERNAL, attributes: { 'faultline.gateway.upstream': upstream.name } },
        incoming.sampling.samplingContext,
      );
      this.#trace = trace.setSpan(incoming.parent, this.#span);
    } else {
      this.#trace = incoming.sampling.context;
      this.#span = trace.getSpan(incoming.sampling.context)!;
    }
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
      return this.failBodyTooLarge();
    }
    const remaining = this.#deadline.remainingMs();
    this.#deadlineTimer = setTimeout(() => this.#onDeadline(), remaining);
    if (!hasBody) return this.#next();
    if (!this.#retryable) {
      // Streamed through; replayed only to a second backend if the first never got any of it.
      this.#streamedBody = new StreamedBody(
        req,
        opts.maxBodyBytes,
        opts.maxAttempts > 1 && opts.retryNeverSent,
      );
      return this.#next();
    }
    // A retry must replay the body: buffer it, bounded.
    bufferRequestBody(req, opts.maxBodyBytes, {
      onBody: (body) => {
        if (this.#done || res.headersSent) return;
        this.#body = body;
        this.#next();
      },
      onTooLarge: () => this.failBodyTooLarge(),
    });
  }

  /** The body passed the limit: 413, and the client's connection closes after it. */
  failBodyTooLarge(): void {
    if (!this.res.headersSent) this.res.setHeader('connection', 'close');
    this.#fail(
      413,
      'body_too_large',
      `request body exceeds ${this.opts.maxBodyBytes} bytes`,
      'body',
    );
  }

  /** Picks a backend for the next attempt and sends; answers with an error when none is left. */
  #next(): void {
    if (this.#done) return;
    this.#attempt++;
    const backend = chooseBackend(
      this.upstream,
      this.req,
      this.#attempt,
      this.#stickyToken,
      this.#tried,
    );
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

  /** Tries another backend within the budget, or answers with this failure. */
  retryOrFail(failure: AttemptFailure): void {
    const { backend, status, error, message } = failure;
    this.#lastError = { status, error, message, backend: backend.id };
    if (this.#done) return;
    const safe = this.#retryable || (failure.neverSent && this.opts.retryNeverSent);
    const canRetry =
      safe &&
      this.#attempt + 1 < this.opts.maxAttempts &&
      !this.#deadline.expired &&
      !this.res.headersSent;
    if (canRetry) {
      const { retries } = this.upstream.pool;
      if (this.upstream.budget.tryAcquireRetry()) {
        retries.made++;
        retries.byReason[failure.reason]++;
        return this.#next();
      }
      retries.budgetExhausted++;
    }
    this.#fail(status, error, message, 'upstream', backend.id);
  }

  /** Whether a failed answer with `status` may be retried instead of passed on. */
  mayRetryStatus(status: number): boolean {
    return (
      isRetryableStatus(status) &&
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
  get streamedBody(): StreamedBody | undefined {
    return this.#streamedBody;
  }
  get deadline(): Deadline {
    return this.#deadline;
  }
  get perTryTimeoutMs(): number {
    return this.opts.perTryTimeoutMs;
  }
  get span(): Span {
    return this.#span;
  }
  /**
   * Runs `dispatch` with this exchange's span active, for an outgoing instrumentation to parent
   * its client span on; without one loaded, just runs it (nothing else looks at the context).
   */
  inContext<T>(dispatch: () => T): T {
    const trace = this.#trace;
    return typeof trace === 'string' || !outgoingInstrumented()
      ? dispatch()
      : context.with(trace, dispatch);
  }
  get pool(): BackendPool {
    return this.upstream.pool;
  }
  get done(): boolean {
    return this.#done;
  }

  /** Response headers for the client: the upstream's minus hop-by-hop, plus a sticky cookie. */
  responseHeaders(backend: Backend, upstreamHeaders: IncomingHttpHeaders): string[] {
    const cookie = this.upstream.sticky?.settle(this.#stickyToken, backend, this.upstream.pool);
    return clientResponseHeaders(upstreamHeaders, cookie);
  }

  /** Headers for the backend: the client's minus hop-by-hop, plus forwarding and deadline. */
  requestHeaders(): IncomingHttpHeaders {
    return backendRequestHeaders(this.req, this.#deadline, this.#trace, {
      bufferedLength: this.#body?.length,
    });
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
