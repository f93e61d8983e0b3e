/** `/seats/:seatId` and `/shows`: reading the catalogue and the ledger's view of seats. */
import type { Router } from 'express';
import { sendError } from '@faultline/kit/http-errors';
import type { BookingContext } from './booking-context.js';
import { send, unknownSeat, unknownShow } from './http-outcomes.js';
import { seatPage, seatParams, showParams } from './request-schemas.js';
import { handle } from './route-support.js';

export function seatRoutes(r: Router, ctx: BookingContext): void {
  const { catalogue, guarded, ledger } = ctx;
  r.get(
    '/seats/:seatId',
    handle(async (req, res) => {
      const { seatId } = seatParams.parse(req.params);
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
      const { showId } = showParams.parse(req.params);
      const show = catalogue.shows.get(showId);
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
