/**
 * JSON error bodies for every failure a client can cause: `{error, details: [{path, message}]}`.
 * Validation errors name the field; nothing ever leaks a stack trace.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import type { Logger } from './logging.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: string;
  message?: string;
  details: ErrorDetail[];
}

/** Sends a JSON error with `status`. */
export function sendError(
  res: Response,
  status: number,
  error: string,
  details: ErrorDetail[] = [],
  message?: string,
): void {
  const body: ErrorBody = { error, ...(message ? { message } : {}), details };
  res.status(status).json(body);
}

/** Zod issues as `{path, message}` with a dotted path (`seatId`, `items.2.qty`). */
export function zodDetails(err: ZodError, root = 'body'): ErrorDetail[] {
  const dotted = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : root);
  return err.issues.flatMap((i) =>
    // An unknown key is named itself, not its parent object.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: dotted([...i.path, k]), message: `unknown field ${k}` }))
      : [{ path: dotted(i.path), message: i.message }],
  );
}

function isZodError(e: unknown): e is ZodError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'ZodError' &&
    Array.isArray((e as ZodError).issues)
  );
}

/**
 * Throw from a handler to answer a 4xx with a JSON error body: `throw new ClientError(409,
 * 'seat_taken', [{path: 'seatId', message: '...'}])`.
 */
export class ClientError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly error: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(error);
    this.name = 'ClientError';
  }
}

interface BodyParserError {
  error?: unknown;
  details?: ErrorDetail[];
  type?: string;
  status?: number;
  limit?: number;
  expose?: boolean;
  message: string;
}

/** The last handler: maps known client errors to 4xx and anything else to a bare 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isZodError(err)) return sendError(res, 400, 'invalid_request', zodDetails(err));
    const e = err as BodyParserError;
    switch (e?.type) {
      case 'entity.too.large':
        return sendError(res, 413, 'body_too_large', [
          { path: 'body', message: `request body exceeds ${e.limit ?? '?'} bytes` },
        ]);
      case 'entity.parse.failed':
        return sendError(res, 400, 'malformed_json', [
          { path: 'body', message: 'request body is not valid JSON' },
        ]);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 415, 'unsupported_encoding', [
          { path: 'content-encoding', message: e.message },
        ]);
      case 'request.aborted':
        return sendError(res, 400, 'request_aborted', [
          { path: 'body', message: 'client aborted the request' },
        ]);
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      // A client error that carries its own code and details (see ClientError) keeps them.
      if (typeof e.error === 'string' && Array.isArray(e.details)) {
        return sendError(res, e.status, e.error, e.details);
      }
      return sendError(res, e.status, 'bad_request', [
        { path: 'request', message: e.expose ? e.message : 'bad request' },
      ]);
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, 500, 'internal_error');
  };
}
