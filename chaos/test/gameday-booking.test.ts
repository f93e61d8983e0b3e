// The negative control on the local platform, through the real CLI: booking-under-chaos with
// fencing off (and a short lease the booking stall outlives, so racing bookings overlap) must
// end FAIL with a double-booking witness; the same game day on a normal playground must PASS.
// The shipped file is never edited: phases are shortened with --phase-scale, and the negative
// control is the shipped file plus `negativeControl: true` and its overrides, written to a
// temporary file (the playground is started with the matching environment).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gameDay, playgrounds } from './gameday-harness.js';

const GAMEDAY = fileURLToPath(
  new URL('../../../gamedays/booking-under-chaos.yaml', import.meta.url),
);

after(() => {
  for (const pg of playgrounds) pg.cli('down');
});

describe('booking-under-chaos', () => {
  // A scaled game day is about 80 s, plus the playground's start and warm-up: longer than the
  // runner's default per-test limit.
  test(
    'fencing off (negative control): FAIL with a double-booking witness',
    { timeout: 400_000 },
    async () => {
      const overrides = {
        'booking.fencing': 'off',
        'booking.lockTtlMs': 300,
        'booking.testStallMs': 400,
      };
      const negative = join(
        mkdtempSync(join(tmpdir(), 'faultline-gameday-')),
        'negative-control.yaml',
      );
      writeFileSync(
        negative,
        `${readFileSync(GAMEDAY, 'utf8').trimEnd()}\n  negativeControl: true\n  overrides:\n${Object.entries(
          overrides,
        )
          .map(([k, v]) => `    ${k}: ${v}`)
          .join('\n')}\n`,
      );
      const r = await gameDay(
        { BOOKING_FENCING: 'off', BOOKING_LOCK_TTL_MS: '300', BOOKING_TEST_STALL_MS: '400' },
        negative,
      );
      assert.equal(r.status, 1, r.out);
      assert.equal(r.journal.verdict.overall, 'FAIL', r.out);
      const ledger = r.journal.checkers.find((c) => c.name === 'booking-ledger');
      assert.equal(ledger?.status, 'fail', r.out);
      assert.match(
        ledger?.witness?.description ?? '',
        /seat gala-\d+: bookings .* both held it|active bookings/,
      );
      assert.ok((ledger?.witness?.events.length ?? 0) >= 2, 'the witness names both bookings');
      assert.deepEqual(r.journal.spec.overrides.sort(), [
        'booking.fencing=off',
        'booking.lockTtlMs=300',
        'booking.testStallMs=400',
      ]);
    },
  );

  test(
    'fencing on: PASS, every fault confirmed, no double booking',
    { timeout: 400_000 },
    async () => {
      const r = await gameDay({}, GAMEDAY);
      assert.equal(
        r.journal.verdict.overall,
        'PASS',
        `${r.journal.verdict.reasons.join('\n')}\n${r.out}`,
      );
      assert.equal(r.status, 0);
      assert.deepEqual(
        r.journal.checkers.map((c) => [c.name, c.status]),
        [
          ['booking-ledger', 'pass'],
          ['booking-history', 'pass'],
        ],
      );
      assert.deepEqual(
        r.journal.faults.map((f) => [f.name, f.observed.status]),
        [
          ['pause-booking-0', 'confirmed'],
          ['redis-latency-booking-1', 'confirmed'],
          ['kill-booking-2', 'confirmed'],
        ],
      );
      const v = r.journal.verdicts.find((x) => x.slo === 'booking-availability');
      assert.ok(v && v.met === true && v.sli.overall !== null, JSON.stringify(v));
      assert.ok(r.journal.load.requests.scheduled > 0, 'the load ran');
    },
  );
});
