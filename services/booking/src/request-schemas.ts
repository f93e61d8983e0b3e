/**
 * What the booking API accepts: request bodies, path and query parameters, as zod schemas.
 * The routes parse with them and `openapi.ts` documents them, so the two cannot disagree.
 */
import { z } from 'zod';
import { SHOW_ID } from './catalogue.js';

/** A user id: short, and safe inside Redis key names and logs. */
export const USER_ID = z
  .string({ message: 'expected a string' })
  .regex(/^[A-Za-z0-9._@:-]{1,128}$/, { message: 'expected 1-128 of A-Z a-z 0-9 . _ @ : -' });
const SEAT_ID = z
  .string({ message: 'expected a string' })
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'expected at most 64 characters' })
  .meta({ description: 'A seat of a show: `<showId>-<n>`, n from 1.', examples: ['gala-17'] });

export const bookingBody = z.strictObject(
  { seatId: SEAT_ID, userId: USER_ID },
  { message: 'expected a JSON object {seatId, userId}' },
);
export const sessionBody = z.strictObject(
  { userId: USER_ID },
  { message: 'expected a JSON object {userId}' },
);
/** Parsed as an object so a bad id is reported under `bookingId`. */
export const bookingParams = z.object({
  bookingId: z.uuid({ message: 'expected a booking id (UUID)' }),
});
export const seatParams = z.object({ seatId: SEAT_ID });
export const showParams = z.object({
  showId: z
    .string({ message: 'expected a string' })
    .regex(SHOW_ID, { message: `expected a show id matching ${SHOW_ID.source}` }),
});
export const seatPage = z.object({
  offset: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(0, { message: 'expected an integer >= 0' })
    .max(1_000_000, { message: 'expected an integer <= 1000000' })
    .default(0),
  limit: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .max(100, { message: 'expected an integer <= 100' })
    .default(50),
});
