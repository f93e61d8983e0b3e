import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPERATIONS } from './operations.js';
import { FAST_BURN_FACTOR, sloTagging, type SloForThresholds } from './slo-thresholds.js';

const ops = [OPERATIONS.book, OPERATIONS['read-seat'], OPERATIONS.leader];
const SLOS: SloForThresholds[] = [
  {
    service: 'booking',
    name: 'availability',
    objective: 0.995,
    sli: {
      kind: 'availability',
      job: 'booking',
      routes: [
        { method: 'POST', route: '/bookings' },
        { method: 'GET', route: '/seats/:seatId' },
      ],
    },
  },
  {
    service: 'booking',
    name: 'latency',
    objective: 0.99,
    sli: {
      kind: 'latency',
      job: 'booking',
      thresholdSeconds: 0.25,
      routes: [{ method: 'POST', route: '/bookings' }],
    },
  },
  {
    service: 'gateway',
    name: 'availability',
    objective: 0.999,
    sli: { kind: 'availability', job: 'gateway', routes: [{ method: 'GET', route: '/' }] },
  },
  {
    service: 'scheduler',
    name: 'freshness',
    objective: 0.99,
    sli: { kind: 'ratio', errorQuery: 'x', totalQuery: 'y' },
  },
  {
    service: 'booking',
    name: 'cancel',
    objective: 0.99,
    sli: {
      kind: 'availability',
      job: 'booking',
      routes: [{ method: 'POST', route: '/bookings/:bookingId/cancel' }],
    },
  },
];

test('the fast-burn factor is the standard page factor, 14.4', () => {
  assert.equal(FAST_BURN_FACTOR, 14.4);
});

test('SLOs become k6 thresholds: budget over the run, fast burn aborts', () => {
  const t = sloTagging(SLOS, ops);
  assert.deepEqual(t.thresholds, {
    'http_req_failed{slo_booking_availability:true}': [
      'rate<=0.005',
      { threshold: 'rate<=0.072', abortOnFail: true, delayAbortEval: '10s' },
    ],
    'http_req_duration{slo_booking_latency:true}': [
      'p(99)<=250',
      { threshold: 'p(85.6)<=250', abortOnFail: true, delayAbortEval: '10s' },
    ],
    'http_req_failed{slo_gateway_availability:true}': [
      'rate<=0.001',
      { threshold: 'rate<=0.0144', abortOnFail: true, delayAbortEval: '10s' },
    ],
  });
});

test('requests are tagged with every SLO that measures them; a prefix route ending in / covers', () => {
  const t = sloTagging(SLOS, ops);
  assert.deepEqual(t.tagsFor(OPERATIONS.book), {
    slo_booking_availability: 'true',
    slo_booking_latency: 'true',
  });
  // GET / of the gateway covers GET /seats/:seatId and GET /leader, not POST /bookings.
  assert.deepEqual(t.tagsFor(OPERATIONS['read-seat']), {
    slo_booking_availability: 'true',
    slo_gateway_availability: 'true',
  });
  assert.deepEqual(t.tagsFor(OPERATIONS.leader), { slo_gateway_availability: 'true' });
});

test('ratio SLOs and SLOs outside the journey give no threshold, and say why', () => {
  const t = sloTagging(SLOS, ops);
  assert.ok(
    t.notes.some((n) => n.startsWith('scheduler-freshness: a ratio SLO')),
    t.notes.join('\n'),
  );
  assert.ok(
    t.notes.some((n) => n.startsWith('booking-cancel: none of its routes')),
    t.notes.join('\n'),
  );
});

test('no fast-burn threshold when factor × budget reaches 100 %', () => {
  const loose: SloForThresholds = { ...SLOS[0]!, objective: 0.9 };
  assert.deepEqual(sloTagging([loose], ops).thresholds, {
    'http_req_failed{slo_booking_availability:true}': ['rate<=0.1'],
  });
});
