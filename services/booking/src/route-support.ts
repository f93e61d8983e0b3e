/** What every booking route shares: the async wrapper, the Idempotency-Key, Server-Timing. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from '@faultline/kit/http-errors';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';
import { redisUnavailable, send } from './http-outcomes.js';
import { isRedisUnavailableError } from './redis-availability.js';
import type { StepTimings } from './seat-booker.js';

/** Wraps an async route: Redis outages become 503 + Retry-After; the rest goes to next(). */
export function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((e: unknown) => {
      if (isRedisUnavailableError(e) && !res.headersSent) {
        return send(res, redisUnavailable(e.message, e.retryAfterMs));
      }
      next(e);
    });
  };
}

/** The request's Idempotency-Key: undefined when absent, null when invalid (400 sent). */
export function readIdempotencyKey(req: Request, res: Response): string | undefined | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && IDEMPOTENCY_KEY_PATTERN.test(raw)) return raw;
  sendError(res, 400, 'invalid_request', [
    {
      path: 'headers.idempotency-key',
      message: 'expected one header of 1-200 visible ASCII characters',
    },
  ]);
  return null;
}

/** `Server-Timing` lets clients (and the benchmark) see lock wait and ledger time per request. */
export function setServerTiming(res: Response, t: StepTimings): void {
  res.setHeader(
    'Server-Timing',
    `lock;dur=${t.lockMs.toFixed(3)}, ledger;dur=${t.ledgerMs.toFixed(3)}`,
  );
}
