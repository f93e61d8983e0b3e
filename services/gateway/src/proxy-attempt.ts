/**
 * One try of a request against one backend: send the request (buffered or streamed), then
 * either pass the upstream's answer to the client or hand the failure back to the exchange,
 * which retries or answers. Every attempt settles exactly once, and that is where the
 * backend's breaker, outlier detection and counters hear about it.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import type { Backend, ResultClass } from './backend.js';
import { SendWatch } from './never-sent.js';
import type { ProxyExchange } from './proxy-exchange.js';

export class Attempt {
  readonly #upstreamReq: ClientRequest;
  readonly #sendWatch: SendWatch;
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
    this.#sendWatch = new SendWatch(this.#upstreamReq);
    const timeout = exchange.deadline.timeoutFor(exchange.perTryTimeoutMs);
    this.#timer = setTimeout(() => this.#onTimeout(), timeout);
    this.#upstreamReq.on('response', (res) => this.#onResponse(res));
    this.#upstreamReq.on('error', (e: NodeJS.ErrnoException) => this.#onError(e));
    const body = exchange.body;
    if (body !== undefined) {
      this.#upstreamReq.end(body);
    } else if (exchange.streamedBody) {
      exchange.streamedBody.sendTo(this.#upstreamReq, () => this.#onBodyTooLarge());
    } else {
      this.#upstreamReq.end();
    }
  }

  /** Stops this attempt (deadline passed, or the client left). */
  abort(result: 'timeout' | 'cancelled'): void {
    if (this.#settled) return;
    this.#settle(result);
    this.#giveUp();
  }

  #onBodyTooLarge(): void {
    this.abort('cancelled');
    this.exchange.failBodyTooLarge();
  }

  #onTimeout(): void {
    this.#timer = undefined;
    if (this.#responded || this.#settled) return;
    this.#settle('timeout');
    const neverSent = this.#sendWatch.neverSent();
    this.#giveUp();
    this.exchange.retryOrFail({
      backend: this.backend,
      status: 504,
      error: 'upstream_timeout',
      message: `backend did not answer within ${this.exchange.perTryTimeoutMs} ms`,
      reason: neverSent ?? 'timeout',
      neverSent: neverSent !== undefined,
    });
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
    const neverSent = this.#sendWatch.neverSent(e.code);
    this.exchange.streamedBody?.detach();
    const code = e.code ?? e.message;
    this.exchange.retryOrFail({
      backend: this.backend,
      status: 502,
      error: connect
        ? 'upstream_connect_error'
        : neverSent
          ? 'upstream_reset_before_request'
          : 'upstream_reset',
      message: neverSent
        ? `backend failed before the request was sent: ${code}`
        : `backend failed: ${code}`,
      reason: neverSent ?? 'reset',
      neverSent: neverSent !== undefined,
    });
  }

  /** Drops the upstream request; a streamed body stops flowing to it. */
  #giveUp(): void {
    this.exchange.streamedBody?.detach();
    this.#upstreamReq.destroy();
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
      exchange.retryOrFail({
        backend: this.backend,
        status,
        error: 'upstream_unavailable',
        message: `backend answered ${status}`,
        reason: 'gateway-error',
        neverSent: false,
      });
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
