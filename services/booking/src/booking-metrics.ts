/**
 * The booking service's domain metrics (`faultline_booking_*`), registered on the app's own
 * registry. Every labelled series is created at zero up front, so "never happened" reads 0.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

const LOCK_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface BookingMetrics {
  lockAcquisitions: Counter<'result'>;
  lockWait: Histogram<'result'>;
  lockHold: Histogram;
  lockRenewals: Counter<'result'>;
  lockReleases: Counter<'result'>;
  fencingRejections: Counter<'operation'>;
  bookings: Counter<'result'>;
  cancellations: Counter<'result'>;
  idempotency: Counter<'result'>;
  sessionLookups: Counter<'result'>;
}

export function createBookingMetrics(registry: Registry): BookingMetrics {
  const p = 'faultline_booking_';
  const registers = [registry];
  const m: BookingMetrics = {
    lockAcquisitions: new Counter({
      name: `${p}lock_acquisitions_total`,
      help: 'Seat lock acquisitions, by result (acquired, busy: gave up after the bounded wait).',
      labelNames: ['result'] as const,
      registers,
    }),
    lockWait: new Histogram({
      name: `${p}lock_wait_seconds`,
      help: 'Time from the first lock attempt to the grant (or giving up).',
      labelNames: ['result'] as const,
      buckets: LOCK_BUCKETS,
      registers,
    }),
    lockHold: new Histogram({
      name: `${p}lock_hold_seconds`,
      help: 'Time from the grant to the release of a seat lock.',
      buckets: LOCK_BUCKETS,
      registers,
    }),
    lockRenewals: new Counter({
      name: `${p}lock_renewals_total`,
      help: 'Lease renewals, by result (renewed, lost: no longer the owner, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    lockReleases: new Counter({
      name: `${p}lock_releases_total`,
      help: 'Lock releases, by result (released, not_owner: the lease had already been lost).',
      labelNames: ['result'] as const,
      registers,
    }),
    fencingRejections: new Counter({
      name: `${p}fencing_rejections_total`,
      help: 'Ledger writes rejected because their fencing token was not newer than the last accepted.',
      labelNames: ['operation'] as const,
      registers,
    }),
    bookings: new Counter({
      name: `${p}bookings_total`,
      help: 'Booking attempts, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    cancellations: new Counter({
      name: `${p}cancellations_total`,
      help: 'Cancellation attempts, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    idempotency: new Counter({
      name: `${p}idempotent_requests_total`,
      help: 'Requests with an Idempotency-Key, by result (new, replayed, conflict, in_progress).',
      labelNames: ['result'] as const,
      registers,
    }),
    sessionLookups: new Counter({
      name: `${p}session_lookups_total`,
      help: "Session lookups, by result (hit: this replica's cache; miss: from Redis; unknown).",
      labelNames: ['result'] as const,
      registers,
    }),
  };
  for (const r of ['acquired', 'busy']) m.lockAcquisitions.inc({ result: r }, 0);
  for (const r of ['renewed', 'lost', 'error']) m.lockRenewals.inc({ result: r }, 0);
  for (const r of ['released', 'not_owner']) m.lockReleases.inc({ result: r }, 0);
  for (const o of ['book', 'cancel']) m.fencingRejections.inc({ operation: o }, 0);
  for (const r of ['booked', 'seat_taken', 'lock_busy', 'fenced', 'unavailable']) {
    m.bookings.inc({ result: r }, 0);
  }
  for (const r of ['cancelled', 'not_holder', 'lock_busy', 'fenced', 'unavailable']) {
    m.cancellations.inc({ result: r }, 0);
  }
  for (const r of ['new', 'replayed', 'conflict', 'in_progress'])
    m.idempotency.inc({ result: r }, 0);
  for (const r of ['hit', 'miss', 'unknown']) m.sessionLookups.inc({ result: r }, 0);
  return m;
}
