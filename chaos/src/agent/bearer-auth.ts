/**
 * Bearer-token check for the admin API, in constant time. Mounted after probes and
 * `/metrics` (kit's createHttpApp), so the platform can probe and scrape without the token.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from '@faultline/kit/http-errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    // Hashing both sides gives equal lengths, as timingSafeEqual requires.
    if (m && timingSafeEqual(digest(m[1]!), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="faultline-agent"');
    sendError(res, 401, 'unauthorized', [
      {
        path: 'authorization',
        message: header ? 'wrong bearer token' : 'missing header: Authorization: Bearer <token>',
      },
    ]);
  };
}
