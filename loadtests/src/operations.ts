/**
 * The operations a journey step can perform, as data: method, route template (the metric
 * label, as the service's router names it), a path template and a body template. Both runners
 * fill the `{placeholders}` the same way — the embedded generator here, the k6 scripts from the
 * compiled scenario JSON — so the journey is not written twice as code.
 *
 * Routes and bodies are booking's (services/booking/src/app.ts) and the scheduler's
 * (`/leader`, `/jobs`), reached through the gateway, which routes `/leader` and `/jobs` to the
 * scheduler and everything else to booking (sticky by its `faultline_gw` cookie).
 */

export const OPERATIONS = {
  book: {
    method: 'POST',
    route: '/bookings',
    path: '/bookings',
    body: { seatId: '{seatId}', userId: '{userId}' },
  },
  'read-seat': { method: 'GET', route: '/seats/:seatId', path: '/seats/{seatId}' },
  'read-show': {
    method: 'GET',
    route: '/shows/:showId/seats',
    path: '/shows/{showId}/seats?limit=20',
  },
  'open-session': {
    method: 'POST',
    route: '/sessions',
    path: '/sessions',
    body: { userId: '{userId}' },
  },
  'session-me': { method: 'GET', route: '/sessions/me', path: '/sessions/me' },
  leader: { method: 'GET', route: '/leader', path: '/leader' },
  jobs: { method: 'GET', route: '/jobs', path: '/jobs?limit=20' },
} as const satisfies Record<string, Operation>;

/** One HTTP operation of a journey. */
export interface Operation {
  method: 'GET' | 'POST';
  /** Route template: the `route` tag/label and what SLOs select on. */
  route: string;
  /** Path (and query) with `{seatId}`, `{showId}`, `{userId}` placeholders. */
  path: string;
  /** JSON body template, same placeholders. */
  body?: Record<string, string>;
}

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as [OperationName, ...OperationName[]];

/** Values for a template's placeholders. */
export interface Placeholders {
  seatId: string;
  showId: string;
  userId: string;
}

/** `{name}` → value; unknown placeholders are left as they are (a test catches them). */
export function fill(template: string, values: Placeholders): string {
  return template.replace(/\{(seatId|showId|userId)\}/g, (_, k: keyof Placeholders) => values[k]);
}
