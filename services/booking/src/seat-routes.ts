/** `/seats/:seatId` and `/shows`: reading the catalogue and the ledger's view of seats. */
import type { Router } from 'express';
import { sendError } from '@faultline/kit/http-errors';
import type { BookingContext } from './booking-context.js';
import { SHOW_ID } from './catalogue.js';
import { send, unknownSeat, unknownShow } from './http-outcomes.js';
import { seatPage } from './request-schemas.js';
import { handle } from './route-support.js';

export function seatRoutes(r: Router, ctx: BookingContext): void {
  const { catalogue, guarded, ledger } = ctx;
  r.get(
    '/seats/:seatId',
    handle(async (req, res) => {
      const seatId = String(req.params.seatId);
      const show = catalogue.showOf(seatId);
      if (!show) return send(res, unknownSeat(seatId));
      res.json({ ...(await guarded.run(() => ledger.seat(seatId))), showId: show.id });
    }),
  );

  r.get('/shows', (_req, res) => {
    res.json({ shows: [...catalogue.shows.values()] });
  });

  r.get(
    '/shows/:showId/seats',
    handle(async (req, res) => {
      const showId = String(req.params.showId);
      const show = SHOW_ID.test(showId) ? catalogue.shows.get(showId) : undefined;
      if (!show) return send(res, unknownShow(showId));
      const q = seatPage.safeParse(req.query);
      if (!q.success) {
        return sendError(
          res,
          400,
          'invalid_request',
          q.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message })),
        );
      }
      const { offset, limit } = q.data;
      const ids = catalogue.seatIds(show, offset + 1, limit);
      const seats = ids.length === 0 ? [] : await guarded.run(() => ledger.seats(ids));
      const next = offset + ids.length;
      res.json({
        showId: show.id,
        total: show.seats,
        offset,
        limit,
        nextOffset: next < show.seats ? next : null,
        seats,
      });
    }),
  );
}
