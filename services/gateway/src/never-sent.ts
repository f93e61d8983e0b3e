/**
 * Proof that an upstream request never left the gateway, which makes retrying it elsewhere
 * safe whatever its method (Envoy's connect-failure and reset-before-request). Requests go out
 * through undici, which calls a dispatch handler's `onRequestStart` on a connected socket
 * immediately before it writes the request's first byte, and never before: a request waiting
 * for a connection (connecting, or queued behind busy ones) has not had it. So a failure seen
 * before `onRequestStart` is proof that not one byte was handed to a socket; after it, any
 * byte may have been, which errs only towards "may have been sent". undici itself sends a
 * request that was still waiting when a pooled connection closed on the next connection, so a
 * reused keep-alive socket the backend closed after our write counts as sent: from here that
 * looks the same as a backend that read the request and crashed.
 */

/** Why a failed request provably never reached its backend. */
export type NeverSentReason = 'connect-failure' | 'reset-before-request';

/** Errors of the connect step: the connection never existed. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether `code` is an error of the connect step. */
export function isConnectError(code: string | undefined): boolean {
  return code !== undefined && CONNECT_ERRORS.has(code);
}

/**
 * Why the request never left, or undefined when any byte of it may have.
 * @param started undici called `onRequestStart` for it (it was about to be written)
 * @param errorCode the failure's code, when it failed with an error (not a timeout)
 */
export function neverSentReason(started: boolean, errorCode?: string): NeverSentReason | undefined {
  if (started) return undefined;
  // Not started: it was waiting for a connection. One that failed to connect is a connect
  // failure; one given up while waiting (a timeout) was queued or connecting, the same.
  return errorCode === undefined || isConnectError(errorCode)
    ? 'connect-failure'
    : 'reset-before-request';
}
