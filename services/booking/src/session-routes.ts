/** `/sessions`: log in (a cookie) and ask who you are, and which replica knew it. */
import type { Router } from 'express';
import { sendError } from '@faultline/kit/http-errors';
import type { BookingContext } from './booking-context.js';
import { sessionBody } from './request-schemas.js';
import { handle } from './route-support.js';
import { SESSION_COOKIE, readCookie } from './sessions.js';

export function sessionRoutes(r: Router, ctx: BookingContext): void {
  const { config, guarded, sessions, bookingMetrics } = ctx;
  r.post(
    '/sessions',
    handle(async (req, res) => {
      const body = sessionBody.parse(req.body);
      const session = await guarded.run(() => sessions.create(body.userId));
      res.cookie(SESSION_COOKIE, session.id, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        maxAge: config.SESSION_TTL_MS,
      });
      res.status(201).json({
        sessionId: session.id,
        userId: session.userId,
        instance: config.INSTANCE,
        store: sessions.kind,
      });
    }),
  );

  r.get(
    '/sessions/me',
    handle(async (req, res) => {
      const id = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (!id) {
        return sendError(res, 401, 'no_session', [
          { path: `cookie.${SESSION_COOKIE}`, message: 'no session cookie; POST /sessions first' },
        ]);
      }
      const found = id.length <= 64 ? await guarded.run(() => sessions.lookup(id)) : undefined;
      bookingMetrics.sessionLookups.inc({ result: found?.cache ?? 'unknown' });
      if (!found) {
        res.status(401).json({
          error: 'unknown_session',
          details: [
            {
              path: `cookie.${SESSION_COOKIE}`,
              message: `replica ${config.INSTANCE} does not know this session (store: ${sessions.kind})`,
            },
          ],
          instance: config.INSTANCE,
        });
        return;
      }
      res.json({
        sessionId: found.session.id,
        userId: found.session.userId,
        instance: config.INSTANCE,
        cache: found.cache,
        store: sessions.kind,
        createdBy: found.session.createdBy,
      });
    }),
  );
}
