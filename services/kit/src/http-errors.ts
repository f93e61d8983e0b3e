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
  return err.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : root,
    message: i.message,
  }));
}

function isZodError(e: unknown): e is ZodError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'ZodError' &&
    Array.isArray((e as ZodError).issues)
  );
}

interface BodyParserError {
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
      return sendError(res, e.status, 'bad_request', [
        { path: 'request', message: e.expose ? e.message : 'bad request' },
      ]);
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, 500, 'internal_error');
  };
}
