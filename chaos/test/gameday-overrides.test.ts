// Overrides against the running pods: a negative control runs only on pods that have its
// overrides, and a normal game day refuses pods that have any (a weakened system must never
// pass for the real one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideMismatches } from '../src/gameday/overrides.js';

const pods = (env: Record<string, string>) => ({
  booking: [
    { pod: 'booking-0', env },
    { pod: 'booking-1', env },
  ],
});

const cases: [
  string,
  Parameters<typeof overrideMismatches>[0],
  Record<string, string>,
  RegExp[],
][] = [
  ['normal game day, normal pods', {}, {}, []],
  [
    'defaults written out are not overrides',
    {},
    { BOOKING_FENCING: 'on', BOOKING_LOCK_TTL_MS: '2000' },
    [],
  ],
  [
    'negative control on pods that have it',
    { 'booking.fencing': false },
    { BOOKING_FENCING: 'off' },
    [],
  ],
  ['0 and false and off are the same', { 'booking.fencing': 'off' }, { BOOKING_FENCING: '0' }, []],
  [
    'negative control on normal pods',
    { 'booking.fencing': false },
    {},
    [
      /booking-0 runs with BOOKING_FENCING=\(unset: true\), the game day needs false .* start the playground with BOOKING_FENCING=false/,
    ],
  ],
  [
    'normal game day on weakened pods',
    {},
    { BOOKING_FENCING: 'off' },
    [/booking-0 runs with BOOKING_FENCING=off .* only a negative control may use/],
  ],
  [
    'a different lease',
    { 'booking.lockTtlMs': 300 },
    { BOOKING_LOCK_TTL_MS: '400' },
    [/BOOKING_LOCK_TTL_MS=400, the game day needs 300/],
  ],
];

for (const [name, wanted, env, expected] of cases)
  test(name, () => {
    const found = overrideMismatches(wanted, pods(env));
    assert.equal(found.length, expected.length * 2, found.join('\n'));
    for (const [i, re] of expected.entries()) assert.match(found[i * 2]!, re);
  });
