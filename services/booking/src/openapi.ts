/**
 * The booking API as OpenAPI 3.1 (served by the kit at `GET /openapi.json`). Bodies and
 * parameters come from `request-schemas.ts`, the schemas the routes parse with; responses are
 * described here, after `http-outcomes.ts`, and `test/openapi.test.ts` holds both to the code.
 */
import {
  RETRY_AFTER,
  errorResponse,
  jsonBody,
  jsonResponse,
  linkTo,
  parametersOf,
  schemaRef,
  type ApiDescription,
} from '@faultline/kit/openapi-document';
import {
  bookingBody,
  bookingParams,
  seatPage,
  seatParams,
  sessionBody,
  showParams,
} from './request-schemas.js';
import { SESSION_COOKIE } from './sessions.js';

const unavailable = errorResponse('Redis unreachable or its circuit breaker open.', RETRY_AFTER);
const badId = errorResponse('Not a booking id (UUID); `details` names `bookingId`.');
const unknownBooking = errorResponse('No such booking.');
const token = { type: 'integer', minimum: 1 };
const BOOKING_ID = '$response.body#/bookingId';

export const bookingApi: ApiDescription = {
  title: 'faultline booking',
  version: '0.2.0',
  description:
    'Seat booking under Redis locks with fencing tokens. A booking is never deleted: ' +
    'cancelling it (`POST /bookings/{bookingId}/cancel`) frees the seat and keeps the booking ' +
    'readable with `status: cancelled`, as the ledger history of the seat.',
  paths: {
    '/bookings': {
      post: {
        summary: 'Book a seat',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Same key + same body replays the original answer; same key + different body is 409 `idempotency_key_reused`. Remembered for BOOKING_IDEMPOTENCY_TTL_MS.',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
          },
        ],
        requestBody: jsonBody(bookingBody),
        responses: {
          '201': {
            ...jsonResponse(
              'Booked; or, with `Idempotent-Replayed: true`, the stored answer to the same key.',
              schemaRef('BookingReceipt'),
              {
                Location: { description: '`/bookings/{bookingId}`', schema: { type: 'string' } },
                'Server-Timing': {
                  description: '`lock;dur=<ms>, ledger;dur=<ms>` (not on a replay)',
                  schema: { type: 'string' },
                },
              },
            ),
            links: {
              ReadBooking: linkTo('get', '/bookings/{bookingId}', { bookingId: BOOKING_ID }),
              CancelBooking: linkTo('post', '/bookings/{bookingId}/cancel', {
                bookingId: BOOKING_ID,
              }),
              ReadSeat: linkTo('get', '/seats/{seatId}', { seatId: '$response.body#/seatId' }),
            },
          },
          '400': errorResponse('Invalid body or Idempotency-Key; `details` names the field.'),
          '404': errorResponse('Unknown seat.'),
          '409': jsonResponse(
            '`seat_taken` (body names `holderBookingId`), `fenced` (the lock was lost before the write; nothing booked), `idempotency_in_progress` (the same key still running) or `idempotency_key_reused` (the key was used with a different body; a conflict with what the key holds, so 409 rather than the 422 of the IETF idempotency-key draft).',
            schemaRef('Conflict'),
          ),
          '423': errorResponse('Seat lock still busy after the bounded wait.', RETRY_AFTER),
          '429': errorResponse('Per-user rate limit.', RETRY_AFTER),
          '503': unavailable,
        },
      },
    },
    '/bookings/{bookingId}': {
      get: {
        summary: 'Read a booking, booked or cancelled',
        parameters: parametersOf(bookingParams, 'path'),
        responses: {
          '200': jsonResponse('The booking.', schemaRef('Booking')),
          '400': badId,
          '404': unknownBooking,
          '503': unavailable,
        },
      },
    },
    '/bookings/{bookingId}/cancel': {
      post: {
        summary: 'Cancel a booking: frees the seat (under its lock, fenced like a booking)',
        description:
          'The booking stays readable at `GET /bookings/{bookingId}` with `status: cancelled`; cancelling it again is 409 `already_cancelled`.',
        parameters: parametersOf(bookingParams, 'path'),
        responses: {
          '200': jsonResponse('Cancelled; the seat is free again.', {
            type: 'object',
            required: ['bookingId', 'seatId', 'fencingToken', 'status'],
            properties: {
              bookingId: { type: 'string', format: 'uuid' },
              seatId: { type: 'string' },
              fencingToken: {
                ...token,
                description: 'The token the cancellation was written under.',
              },
              status: { const: 'cancelled' },
            },
          }),
          '400': badId,
          '404': unknownBooking,
          '409': errorResponse('`already_cancelled`, `not_holder` or `fenced`.'),
          '423': errorResponse('Seat lock busy.', RETRY_AFTER),
          '503': unavailable,
        },
      },
    },
    '/seats/{seatId}': {
      get: {
        summary: 'A seat and who holds it',
        parameters: parametersOf(seatParams, 'path'),
        responses: {
          '200': jsonResponse('The seat.', schemaRef('Seat')),
          '400': errorResponse('Not a seat id.'),
          '404': errorResponse('Unknown seat.'),
          '503': unavailable,
        },
      },
    },
    '/shows': {
      get: {
        summary: 'Shows and their seat counts',
        responses: {
          '200': jsonResponse('The shows.', {
            type: 'object',
            required: ['shows'],
            properties: {
              shows: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'seats'],
                  properties: { id: { type: 'string' }, seats: { type: 'integer', minimum: 1 } },
                },
              },
            },
          }),
        },
      },
    },
    '/shows/{showId}/seats': {
      get: {
        summary: 'Seats of a show, paged',
        parameters: [...parametersOf(showParams, 'path'), ...parametersOf(seatPage, 'query')],
        responses: {
          '200': jsonResponse('A page of seats; `nextOffset` is null on the last page.', {
            type: 'object',
            required: ['showId', 'total', 'offset', 'limit', 'nextOffset', 'seats'],
            properties: {
              showId: { type: 'string' },
              total: { type: 'integer' },
              offset: { type: 'integer' },
              limit: { type: 'integer' },
              nextOffset: { type: ['integer', 'null'] },
              seats: { type: 'array', items: schemaRef('SeatState') },
            },
          }),
          '400': errorResponse('Bad show id or paging parameters; `details` names them.'),
          '404': errorResponse('Unknown show.'),
          '503': unavailable,
        },
      },
    },
    '/sessions': {
      post: {
        summary: 'Start a session; sets the `booking_session` cookie',
        requestBody: jsonBody(sessionBody),
        responses: {
          '201': jsonResponse(
            'The session.',
            {
              type: 'object',
              required: ['sessionId', 'userId', 'instance', 'store'],
              properties: {
                sessionId: { type: 'string' },
                userId: { type: 'string' },
                instance: { type: 'string' },
                store: { enum: ['memory', 'redis'] },
              },
            },
            {
              'Set-Cookie': {
                description: `\`${SESSION_COOKIE}=<id>\``,
                schema: { type: 'string' },
              },
            },
          ),
          '503': unavailable,
        },
      },
    },
    '/sessions/me': {
      get: {
        summary: "The caller's session, from this replica's cache (hit) or Redis (miss)",
        parameters: [
          { name: SESSION_COOKIE, in: 'cookie', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': jsonResponse('The session.', {
            type: 'object',
            required: ['sessionId', 'userId', 'instance', 'cache', 'store', 'createdBy'],
            properties: {
              sessionId: { type: 'string' },
              userId: { type: 'string' },
              instance: { type: 'string' },
              cache: { enum: ['hit', 'miss'] },
              store: { enum: ['memory', 'redis'] },
              createdBy: { type: 'string' },
            },
          }),
          '401': errorResponse('No cookie, or this replica does not know the session.'),
          '503': unavailable,
        },
      },
    },
  },
  schemas: {
    BookingReceipt: {
      type: 'object',
      required: ['bookingId', 'seatId', 'userId', 'fencingToken'],
      properties: {
        bookingId: { type: 'string', format: 'uuid' },
        seatId: { type: 'string' },
        userId: { type: 'string' },
        fencingToken: {
          ...token,
          description: 'The token of the lock grant the booking was written under.',
        },
      },
    },
    Booking: {
      allOf: [
        schemaRef('BookingReceipt'),
        {
          type: 'object',
          required: ['status', 'createdAt'],
          properties: {
            status: { enum: ['booked', 'cancelled'] },
            createdAt: { type: 'string' },
          },
        },
      ],
    },
    SeatState: {
      type: 'object',
      required: ['seatId', 'status'],
      properties: {
        seatId: { type: 'string' },
        status: { enum: ['free', 'booked'] },
        bookingId: { type: 'string' },
        userId: { type: 'string' },
        fencingToken: token,
      },
    },
    Seat: {
      allOf: [
        schemaRef('SeatState'),
        { type: 'object', required: ['showId'], properties: { showId: { type: 'string' } } },
      ],
    },
    Conflict: {
      allOf: [
        schemaRef('Error'),
        { type: 'object', properties: { holderBookingId: { type: ['string', 'null'] } } },
      ],
    },
  },
};
