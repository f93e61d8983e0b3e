/**
 * One try of a request against one backend: send the request (buffered or streamed) through
 * the backend's undici pool, then either pass the upstream's answer to the client or hand the
 * failure back to the exchange, which retries or answers. The attempt is undici's dispatch
 * handler itself (no promise, no response stream in between: chunks go straight to the
 * client's response, with backpressure). Every attempt settles exactly once, and that is where
 * the backend's breaker, outlier detection and counters hear about it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Backend, ResultClass } from './backend.js';
import { isConnectError, neverSentReason } from './never-sent.js';
import type { ProxyExchange } from './proxy-exchange.js';

/** Why an attempt was dropped on our side; undici's abort needs an error. */
class AttemptAborted extends Error {
  override readonly name = 'AttemptAborted';
}

export class Attempt implements Dispatcher.DispatchHandler {
  readonly #exchange: ProxyExchange;
  /** undici's handle on the request, from the moment it is about to be written. */
  #controller: Dispatcher.DispatchController | undefined;
  /** The request may have been handed to a socket (see never-sent.ts). */
  #started = false;
  #bodyStream: PassThrough | undefined;
  #timer: NodeJS.Timeout | undefined;
  #settled = false;
  #gaveUp = false;
  #responded = false;
  /** Answer bytes are read and dropped (a retried 5xx, or nobody waits any more). */
  #discard = false;
  #status = 0;
  /** Inside `dispatch`, where undici reports a request it refuses synchronously. */
  #dispatching = false;

  constructor(
    exchange: ProxyExchange,
    readonly backend: Backend,
    readonly number: number,
  ) {
    this.#exchange = exchange;
    const { pool } = exchange;
    pool.acquire(backend);
    exchange.annotate(backend);
    let body: Buffer | PassThrough | null = exchange.body ?? null;
    if (body === null && exchange.streamedBody) body = this.#bodyStream = new PassThrough();
    const timeout = exchange.deadline.timeoutFor(exchange.perTryTimeoutMs);
    this.#timer = setTimeout(() => this.#onTimeout(), timeout);
    const request = exchange.request;
    const options: Dispatcher.DispatchOptions = {
      path: request.url!,
      method: request.method as Dispatcher.HttpMethod,
      headers: exchange.requestHeaders(),
      body,
      // The attempt's own timer and the exchange's deadline govern.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    // Outgoing instrumentation, when loaded, parents its client span on the exchange's.
    this.#dispatching = true;
    exchange.inContext(() => backend.dispatcher.dispatch(options, this));
    this.#dispatching = false;
    if (this.#bodyStream && exchange.streamedBody) {
      exchange.streamedBody.sendTo(this.#bodyStream, () => this.#onBodyTooLarge());
    }
  }

  /** Stops this attempt (deadline passed, or the client left). */
  abort(result: 'timeout' | 'cancelled'): void {
    if (this.#settled) return;
    this.#settle(result);
    this.#giveUp();
  }

  // undici's dispatch handler.

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#gaveUp) {
      // Given up while it waited for a connection: undici writes nothing of an aborted request.
      controller.abort(new AttemptAborted('attempt given up'));
      return;
    }
    this.#controller = controller;
    this.#started = true;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const exchange = this.#exchange;
    if (exchange.done || this.#settled) {
      this.#discard = true;
      return;
    }
    if (exchange.mayRetryStatus(status)) {
      // Read and dropped, so the connection goes back to the pool.
      this.#discard = true;
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
    this.#status = status;
    const client = exchange.response;
    client.writeHead(status, statusMessage, exchange.responseHeaders(this.backend, headers));
    this.#controller = controller;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#discard) return;
    const client = this.#exchange.response;
    if (!client.write(chunk)) {
      controller.pause();
      client.once('drain', this.#resume);
    }
  }

  onResponseEnd(): void {
    if (this.#discard) return;
    this.#exchange.response.end();
    this.#settle(classOf(this.#status));
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, e: Error): void {
    if (this.#settled) return;
    if (this.#dispatching) {
      // Refused inside dispatch (e.g. a header undici will not send): let the exchange
      // finish starting this attempt before it hears of the failure.
      queueMicrotask(() => this.onResponseError(null, e));
      return;
    }
    const code = (e as NodeJS.ErrnoException).code;
    const connect = isConnectError(code);
    this.#settle(connect ? 'connect_error' : 'reset');
    if (this.#responded) {
      // Headers are out: the client can only see the truncation.
      this.#exchange.response.destroy();
      return;
    }
    const neverSent = neverSentReason(this.#started, code);
    this.#detachBody();
    const what = code ?? e.message;
    this.#exchange.retryOrFail({
      backend: this.backend,
      status: 502,
      error: connect
        ? 'upstream_connect_error'
        : neverSent
          ? 'upstream_reset_before_request'
          : 'upstream_reset',
      message: neverSent
        ? `backend failed before the request was sent: ${what}`
        : `backend failed: ${what}`,
      reason: neverSent ?? 'reset',
      neverSent: neverSent !== undefined,
    });
  }

  // Ours.

  readonly #resume = (): void => this.#controller?.resume();

  #onBodyTooLarge(): void {
    this.abort('cancelled');
    this.#exchange.failBodyTooLarge();
  }

  #onTimeout(): void {
    this.#timer = undefined;
    if (this.#responded || this.#settled) return;
    this.#settle('timeout');
    const neverSent = neverSentReason(this.#started);
    this.#giveUp();
    this.#exchange.retryOrFail({
      backend: this.backend,
      status: 504,
      error: 'upstream_timeout',
      message: `backend did not answer within ${this.#exchange.perTryTimeoutMs} ms`,
      reason: neverSent ?? 'timeout',
      neverSent: neverSent !== undefined,
    });
  }

  /** Drops the upstream request; a streamed body stops flowing to it. */
  #giveUp(): void {
    this.#gaveUp = true;
    this.#discard = true;
    this.#detachBody();
    // Before onRequestStart there is nothing to abort yet: onRequestStart refuses it.
    this.#controller?.abort(new AttemptAborted('attempt given up'));
  }

  #detachBody(): void {
    if (!this.#bodyStream) return;
    this.#exchange.streamedBody?.detach();
    this.#bodyStream.destroy();
  }

  #settle(result: ResultClass): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const { pool } = this.#exchange;
    pool.recordResult(this.backend, result);
    pool.release(this.backend);
  }
}

function classOf(status: number): ResultClass {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
}
