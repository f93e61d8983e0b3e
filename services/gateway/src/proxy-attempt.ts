/**
 * One try of a request against one backend: send the request (buffered or streamed), then
 * either pass the upstream's answer to the client or hand the failure back to the exchange,
 * which retries or answers. Every attempt settles exactly once, and that is where the
 * backend's breaker, outlier detection and counters hear about it.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import type { Backend, ResultClass } from './backend.js';
import type { ProxyExchange } from './proxy-exchange.js';

export class Attempt {
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
