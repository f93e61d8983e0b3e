// The waterfall's tree order, offsets, bars and attributes, over a hand-made trace whose
// shape is the one Jaeger returns for a booking (gateway → booking → Redis commands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trace, TraceSpan } from './jaeger-client.js';
import { ms, renderWaterfall, shownAttributes, spanTree } from './waterfall.js';

const T0 = 1_700_000_000_000_000;

function span(
  spanId: string,
  parentSpanId: string | undefined,
  service: string,
  name: string,
  start: number,
  duration: number,
  attributes: TraceSpan['attributes'] = {},
  code: TraceSpan['status']['code'] = 'unset',
): TraceSpan {
  return {
    traceId: 'abc',
    spanId,
    parentSpanId,
    service,
    name,
    kind: undefined,
    startMicros: T0 + start,
    durationMicros: duration,
    attributes,
    status: { code },
  };
}

// Listed out of order on purpose: Jaeger does not sort spans.
const booking: Trace = {
  traceId: 'abc',
  spans: [
    span('r2', 'b', 'booking', 'evalsha', 30_000, 1_000, {
      'db.statement': 'evalsha 1 lock:gala-1',
    }),
    span('b', 'g', 'booking', 'POST /bookings', 1_000, 38_000, {
      'faultline.experiment': 'lat-1',
      'booking.fencing_token': 42,
    }),
    span('g', undefined, 'gateway', 'POST /bookings', 0, 40_000, {
      'http.response.status_code': 201,
    }),
    span('r1', 'b', 'booking', 'set', 2_000, 20_000, {
      'db.statement': 'set lock:gala-1 ? NX PX 5000',
    }),
    span('orphan', 'missing', 'booking', 'late', 39_000, 500, {}, 'error'),
  ],
};

test('spans come in tree order: children under their parent by start time; orphans are roots', () => {
  assert.deepEqual(
    spanTree(booking).map(({ span: s, depth }) => `${depth}:${s.spanId}`),
    ['0:g', '1:b', '2:r1', '2:r2', '0:orphan'],
  );
});

test('a line per span with its offset, duration, bar, status and the attributes that matter', () => {
  const lines = renderWaterfall(booking, { barWidth: 20 }).split('\n');
  assert.match(lines[0]!, /^trace abc {2}gateway: POST \/bookings {2}40\.0 ms {2}5 spans, 1 error/);
  assert.match(lines[1]!, /SERVICE +SPAN +START +DURATION +TIMELINE +STATUS +ATTRIBUTES/);
  const row = (id: string) => lines[2 + spanTree(booking).findIndex((r) => r.span.spanId === id)]!;
  assert.match(
    row('g'),
    /gateway +POST \/bookings +\+0\.00 ms +40\.0 ms +\|█{20}\| +unset +status=201/,
  );
  // The set took half the trace, starting at 5 % of it: one blank, ten blocks.
  assert.match(row('r1'), /booking + {4}set +\+2\.00 ms +20\.0 ms +\| █{10} {9}\|/);
  assert.match(row('r1'), /redis="set lock:gala-1 \? NX PX 5000"/);
  assert.match(row('b'), /experiment=lat-1 fencing_token=42/);
  assert.match(row('orphan'), /ERROR/);
});

test('attribute labels appear once even when two keys map to one label', () => {
  assert.equal(
    shownAttributes(
      span('x', undefined, 's', 'n', 0, 1, { 'db.statement': 'get a', 'db.query.text': 'get b' }),
    ),
    'redis="get a"',
  );
  assert.equal(shownAttributes(span('x', undefined, 's', 'n', 0, 1, { other: 1 })), '');
});

test('durations read as ms or s with sensible precision', () => {
  assert.deepEqual([420, 12_345, 1_250_000].map(ms), ['0.42 ms', '12.3 ms', '1.25 s']);
});
