/** Which requests and which upstream answers may be tried again on another backend. */
import type { IncomingHttpHeaders } from 'node:http';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Upstream answers that mean "try elsewhere" for an idempotent request. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** Whether sending this request twice does no more than sending it once. */
export function isIdempotent(method: string, headers: IncomingHttpHeaders): boolean {
  return IDEMPOTENT.has(method) || (method === 'POST' && headers['idempotency-key'] !== undefined);
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}
