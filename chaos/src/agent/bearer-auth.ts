/**
 * Token check for the admin API, in constant time. Mounted after probes and `/metrics` (kit's
 * createHttpApp), so the platform can probe and scrape without the token.
 *
 * The token comes as `Authorization: Bearer <token>`, or in {@link AGENT_TOKEN_HEADER}: the
 * Kubernetes API server's pod proxy (how a client outside a kind cluster reaches a pod) drops
 * the Authorization header once it has authenticated the caller, so through it the agent's
 * token needs a header of its own.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from '@faultline/kit/http-errors';

/** The header carrying the agent's token where Authorization cannot (lower case, as Node has it). */
export const AGENT_TOKEN_HEADER = 'x-faultline-agent-token';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const own = req.headers[AGENT_TOKEN_HEADER];
    const given = m?.[1] ?? (typeof own === 'string' ? own.trim() : undefined);
    // Hashing both sides gives equal lengths, as timingSafeEqual requires.
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="faultline-agent"');
    sendError(res, 401, 'unauthorized', [
      {
        path: !m && own !== undefined ? AGENT_TOKEN_HEADER : 'authorization',
        message:
          header || own !== undefined
            ? 'wrong token'
            : `missing header: Authorization: Bearer <token> (or ${AGENT_TOKEN_HEADER}: <token>)`,
      },
    ]);
  };
}
