/**
 * Which failed attempts may be tried again on another backend. Any request that provably
 * never reached its backend may; one that may have reached it only if repeating it is
 * harmless (idempotent method, or a POST with an Idempotency-Key).
 */
import type { IncomingHttpHeaders } from 'node:http';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Upstream answers that mean "try elsewhere" for an idempotent request. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);

/**
 * Why an attempt was retried (`faultline_gateway_retries_total{reason}`), after Envoy's
 * retry-on names. The first two never reached the backend; the others may have.
 */
export const RETRY_REASONS = [
  'connect-failure',
  'reset-before-request',
  'reset',
  'timeout',
  'gateway-error',
] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

/** Whether sending this request twice does no more than sending it once. */
export function isIdempotent(method: string, headers: IncomingHttpHeaders): boolean {
  return IDEMPOTENT.has(method) || (method === 'POST' && headers['idempotency-key'] !== undefined);
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}
