/**
 * Booking: how the seat locks, fencing tokens, idempotency keys and session caches behave,
 * per replica (`faultline_booking_*`, the Redis breaker, and the booking routes' latency).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board, labelVariable } from '../board.js';
import { latency, row, timeSeries, timeline, valueNames } from '../panels.js';

const sel = 'job="booking",pod=~"$pod"';
const byResult = (metric: string, label = 'result') =>
  `sum by (${label}) (rate(${metric}{${sel}}[$__rate_interval]))`;
const lockQuantile = (metric: string, q: number, extra = '') =>
  `histogram_quantile(${String(q)}, sum by (le) (rate(${metric}_bucket{${sel}${extra}}[$__rate_interval])))`;

/** Gauge values of `faultline_breaker_state`, as in services/kit resilience-metrics. */
export const BREAKER_STATES = valueNames({
  0: ['closed', 'green'],
  1: ['open', 'red'],
  2: ['half-open', 'orange'],
});

export function bookingDashboard(): Dashboard {
  return board({
    uid: 'faultline-booking',
    title: 'faultline / Booking',
    description: 'Seat locks, fencing rejections, idempotency outcomes and session hit rate.',
    tags: ['booking'],
  })
    .withVariable(labelVariable('pod', 'pod', 'faultline_booking_bookings_total', 'replica'))
    .withRow(row('Bookings'))
    .withPanel(
      timeSeries({
        title: 'Booking outcomes',
        description:
          'booked; seat_taken (refused: already booked); lock_busy (gave up waiting); fenced (stale token); unavailable (Redis).',
        unit: 'ops',
        stacked: true,
        queries: [{ expr: byResult('faultline_booking_bookings_total'), legend: '{{result}}' }],
      }),
    )
    .withPanel(
      latency({
        title: 'Booking route latency p95 per replica',
        description: 'POST /bookings and GET /seats/:seatId as each replica served them.',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (pod, http_route, le) (rate(http_server_request_duration_seconds_bucket{${sel},http_route=~"/bookings|/seats/:seatId"}[$__rate_interval])))`,
            legend: '{{pod}} {{http_route}}',
          },
        ],
      }),
    )
    .withRow(row('Seat locks (Redis SET NX PX, renewed and released by owner)'))
    .withPanel(
      timeSeries({
        title: 'Lock wait p50 / p99',
        description:
          'First attempt to grant, for granted locks: contention on hot seats shows here.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: lockQuantile('faultline_booking_lock_wait_seconds', 0.5, ',result="acquired"'),
            legend: 'p50',
          },
          {
            expr: lockQuantile('faultline_booking_lock_wait_seconds', 0.99, ',result="acquired"'),
            legend: 'p99',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Lock acquisitions by result',
        description: 'acquired, or busy: gave up after the bounded wait.',
        unit: 'ops',
        queries: [
          { expr: byResult('faultline_booking_lock_acquisitions_total'), legend: '{{result}}' },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Lock hold p99',
        description: 'Grant to release: how long a booking keeps the seat locked.',
        unit: 's',
        min: 0,
        queries: [
          { expr: lockQuantile('faultline_booking_lock_hold_seconds', 0.99), legend: 'p99' },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Lease renewals and releases',
        description:
          'renewed / lost (no longer the owner) / error; released / not_owner (the lease had lapsed).',
        unit: 'ops',
        queries: [
          {
            expr: byResult('faultline_booking_lock_renewals_total'),
            legend: 'renew {{result}}',
          },
          {
            expr: byResult('faultline_booking_lock_releases_total'),
            legend: 'release {{result}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Fencing rejections',
        description:
          'Ledger writes refused because their fencing token was not newer than the last accepted: a paused lock holder coming back.',
        queries: [
          {
            expr: `sum by (operation) (increase(faultline_booking_fencing_rejections_total{${sel}}[$__rate_interval]))`,
            legend: '{{operation}}',
          },
        ],
      }),
    )
    .withRow(row('Idempotency and sessions'))
    .withPanel(
      timeSeries({
        title: 'Idempotency-Key outcomes',
        description:
          'new; replayed (same key, same body: the stored answer); conflict (same key, other body); in_progress.',
        unit: 'ops',
        stacked: true,
        queries: [
          { expr: byResult('faultline_booking_idempotent_requests_total'), legend: '{{result}}' },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Session cache hit rate',
        description:
          "Share of session lookups answered from this replica's memory. The gateway's sticky cookie keeps it high.",
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `sum(rate(faultline_booking_session_lookups_total{${sel},result="hit"}[$__rate_interval])) / sum(rate(faultline_booking_session_lookups_total{${sel}}[$__rate_interval]))`,
            legend: 'hit rate',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Session lookups by result',
        description: 'hit (memory), miss (read from Redis), unknown (no such session).',
        unit: 'ops',
        queries: [
          { expr: byResult('faultline_booking_session_lookups_total'), legend: '{{result}}' },
        ],
        width: 8,
      }),
    )
    .withRow(row('Redis dependency'))
    .withPanel(
      timeline({
        title: 'Redis circuit breaker per replica',
        description: 'closed (normal), open (failing fast), half-open (probing).',
        queries: [
          {
            expr: `max by (pod) (faultline_breaker_state{${sel},breaker="redis"})`,
            legend: '{{pod}}',
          },
        ],
        mappings: BREAKER_STATES,
        width: 24,
        height: 6,
      }),
    )
    .build();
}
