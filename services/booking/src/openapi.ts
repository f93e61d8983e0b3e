/** The booking API as OpenAPI 3.1, served at `GET /openapi.json`. */

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};
const unavailable = {
  ...error('Redis unreachable or its circuit breaker open.'),
  headers: retryAfter,
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'faultline booking',
    version: '0.1.0',
    description:
      'Seat booking under Redis locks with fencing tokens. Errors are `{error, details:[{path, message}]}`.',
  },
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
              'Same key + same body replays the original answer; same key + different body is 422. Remembered for BOOKING_IDEMPOTENCY_TTL_MS.',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/BookingRequest' } },
          },
        },
        responses: {
          '201': {
            description: 'Booked (or replayed, with `Idempotent-Replayed: true`).',
            headers: {
              'Server-Timing': {
                description: '`lock;dur=<ms>, ledger;dur=<ms>`',
                schema: { type: 'string' },
              },
            },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Booking' } } },
          },
          '400': error('Invalid body or Idempotency-Key; `details` names the field.'),
          '404': error('Unknown seat.'),
          '409': {
            description:
              '`seat_taken` (body names `holderBookingId`), `fenced` (the lock was lost before the write; nothing booked) or `idempotency_in_progress`.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Conflict' } } },
          },
          '413': error('Body too large.'),
          '422': error('Idempotency-Key reused with a different body.'),
          '423': { ...error('Seat lock still busy after the bounded wait.'), headers: retryAfter },
          '429': { ...error('Per-user rate limit.'), headers: retryAfter },
          '503': unavailable,
        },
      },
    },
    '/bookings/{bookingId}': {
      parameters: [
        {
          name: 'bookingId',
          in: 'path',
          required: true,
          schema: { type: 'string', format: 'uuid' },
        },
      ],
      get: {
        summary: 'Read a booking',
        responses: {
          '200': {
            description: 'The booking.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Booking' } } },
          },
          '400': error('Not a booking id.'),
          '404': error('Unknown booking.'),
          '503': unavailable,
        },
      },
      delete: {
        summary: 'Cancel a booking (under the seat lock, fenced like a booking)',
        responses: {
          '200': { description: 'Cancelled.' },
          '400': error('Not a booking id.'),
          '404': error('Unknown booking.'),
          '409': error('`already_cancelled`, `not_holder` or `fenced`.'),
          '423': { ...error('Seat lock busy.'), headers: retryAfter },
          '503': unavailable,
        },
      },
    },
    '/seats/{seatId}': {
      get: {
        summary: 'A seat and who holds it',
        parameters: [
          {
            name: 'seatId',
            in: 'path',
            required: true,
            schema: { type: 'string', example: 'gala-17' },
          },
        ],
        responses: {
          '200': {
            description: 'The seat.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Seat' } } },
          },
          '404': error('Unknown seat.'),
          '503': unavailable,
        },
      },
    },
    '/shows': {
      get: {
        summary: 'Shows and their seat counts',
        responses: { '200': { description: 'Shows.' } },
      },
    },
    '/shows/{showId}/seats': {
      get: {
        summary: 'Seats of a show, paged',
        parameters: [
          { name: 'showId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
          },
        ],
        responses: {
          '200': {
            description:
              '`{showId, total, offset, limit, nextOffset, seats}`; `nextOffset` is null on the last page.',
          },
          '400': error('Bad paging parameters.'),
          '404': error('Unknown show.'),
          '503': unavailable,
        },
      },
    },
    '/sessions': {
      post: {
        summary: 'Start a session; sets the `booking_session` cookie',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['userId'],
                additionalProperties: false,
                properties: { userId: { $ref: '#/components/schemas/UserId' } },
              },
            },
          },
        },
        responses: {
          '201': { description: '`{sessionId, userId, instance, store}`' },
          '400': error('Invalid body.'),
          '503': unavailable,
        },
      },
    },
    '/sessions/me': {
      get: {
        summary: "The caller's session, from this replica's cache (hit) or Redis (miss)",
        responses: {
          '200': {
            description: '`{sessionId, userId, instance, cache: hit|miss, store, createdBy}`',
          },
          '401': error('No cookie, or this replica does not know the session.'),
          '503': unavailable,
        },
      },
    },
    '/livez': {
      get: {
        summary: 'Liveness (never depends on Redis)',
        responses: { '200': { description: 'alive' } },
      },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: Redis answers PING in time',
        responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } },
      },
    },
    '/metrics': {
      get: { summary: 'Prometheus metrics', responses: { '200': { description: 'metrics' } } },
    },
  },
  components: {
    schemas: {
      UserId: { type: 'string', pattern: '^[A-Za-z0-9._@:-]{1,128}$' },
      BookingRequest: {
        type: 'object',
        required: ['seatId', 'userId'],
        additionalProperties: false,
        properties: {
          seatId: { type: 'string', example: 'gala-17' },
          userId: { $ref: '#/components/schemas/UserId' },
        },
      },
      Booking: {
        type: 'object',
        properties: {
          bookingId: { type: 'string', format: 'uuid' },
          seatId: { type: 'string' },
          userId: { type: 'string' },
          fencingToken: {
            type: 'integer',
            description: 'The token of the lock grant the booking was written under.',
          },
        },
      },
      Seat: {
        type: 'object',
        properties: {
          seatId: { type: 'string' },
          showId: { type: 'string' },
          status: { enum: ['free', 'booked'] },
          bookingId: { type: 'string' },
          userId: { type: 'string' },
          fencingToken: { type: 'integer' },
        },
      },
      Error: {
        type: 'object',
        required: ['error', 'details'],
        properties: {
          error: { type: 'string' },
          details: {
            type: 'array',
            items: {
              type: 'object',
              properties: { path: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
      Conflict: {
        allOf: [
          { $ref: '#/components/schemas/Error' },
          { type: 'object', properties: { holderBookingId: { type: ['string', 'null'] } } },
        ],
      },
    },
  },
} as const;
