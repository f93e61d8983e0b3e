// Every checker over fixtures: a sound history passes, and each broken history fails with a
// witness naming what broke (so each check is shown able to fail).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryRecord } from '../src/gameday/history.js';
import { judgeBookingHistory } from '../src/gameday/checkers/booking-history.js';
import { judgeLedger } from '../src/gameday/checkers/booking-ledger.js';
import type { LedgerBooking, LedgerSnapshot } from '../src/gameday/checkers/booking-ledger-data.js';
import { judgeSticky } from '../src/gameday/checkers/gateway-sticky.js';
import { judgeSchedulerTerms } from '../src/gameday/checkers/scheduler-terms.js';
import type { JobRecord } from '../src/gameday/checkers/scheduler-terms.js';

const T = Date.parse('2026-01-01T00:00:00Z');
const booking = (
  id: string,
  seat: string,
  token: number,
  status = 'booked',
  user = 'u1',
): LedgerBooking => ({
  bookingId: id,
  seatId: seat,
  userId: user,
  fencingToken: token,
  status,
  createdAt: new Date(T + token * 1000).toISOString(),
});
const write = (
  n: number,
  op: string,
  seat: string,
  id: string,
  token: number,
  replaced?: string,
) => ({
  id: `${T + n}-0`,
  op,
  seatId: seat,
  bookingId: id,
  token,
  ...(replaced ? { replaced } : {}),
});

describe('booking-ledger', () => {
  const sound: LedgerSnapshot = {
    writes: [
      write(1, 'book', 'gala-1', 'b1', 1),
      write(2, 'cancel', 'gala-1', 'b1', 2),
      write(3, 'book', 'gala-1', 'b2', 3),
      write(4, 'book', 'gala-2', 'b3', 1),
    ],
    bookings: [
      booking('b1', 'gala-1', 1, 'cancelled'),
      booking('b2', 'gala-1', 3),
      booking('b3', 'gala-2', 1),
    ],
    seats: [
      { seatId: 'gala-1', bookingId: 'b2', lastToken: 3 },
      { seatId: 'gala-2', bookingId: 'b3', lastToken: 1 },
    ],
  };
  const cases: [string, LedgerSnapshot, RegExp | undefined][] = [
    ['sound ledger', sound, undefined],
    [
      'a late unfenced write over a held seat (fencing off)',
      {
        writes: [write(1, 'book', 'gala-7', 'b2', 8), write(2, 'book', 'gala-7', 'b1', 7, 'b2')],
        bookings: [booking('b1', 'gala-7', 7), booking('b2', 'gala-7', 8)],
        seats: [{ seatId: 'gala-7', bookingId: 'b1', lastToken: 7 }],
      },
      /seat gala-7: (bookings b2 with token 8 .* and b1 with token 7 .* both held it|2 active bookings)/,
    ],
    [
      'a token not newer than the last',
      {
        writes: [write(1, 'book', 'gala-3', 'b1', 5), write(2, 'cancel', 'gala-3', 'b1', 4)],
        bookings: [booking('b1', 'gala-3', 5, 'cancelled')],
        seats: [{ seatId: 'gala-3', bookingId: undefined, lastToken: 4 }],
      },
      /seat gala-3: write of b1 with token 4 .* accepted after b1 with token 5/,
    ],
    [
      'a seat naming a booking that is not active',
      {
        writes: [write(1, 'book', 'gala-4', 'b1', 1)],
        bookings: [booking('b1', 'gala-4', 1, 'cancelled')],
        seats: [{ seatId: 'gala-4', bookingId: 'b1', lastToken: 1 }],
      },
      /seat gala-4 is held by b1, which is not an active booking/,
    ],
  ];
  for (const [name, snapshot, witness] of cases)
    test(name, () => {
      const v = judgeLedger(snapshot);
      if (!witness) return assert.equal(v.status, 'pass', v.summary);
      assert.equal(v.status, 'fail');
      assert.match(v.witness?.description ?? '', witness);
    });
});

const rec = (seq: number, o: Partial<HistoryRecord>): HistoryRecord => ({
  seq,
  vu: 1,
  scenario: 'booking-rush',
  op: 'book',
  method: 'POST',
  route: '/bookings',
  url: '/bookings',
  scheduledAt: T + seq,
  startedAt: T + seq,
  endedAt: T + seq + 5,
  outcome: 'ok',
  ...o,
});

describe('booking-history', () => {
  const window = { from: T, to: T + 3_600_000 };
  const acked = [
    rec(1, { seatId: 'gala-1', userId: 'u1', status: 201, bookingId: 'b1', fencingToken: 1 }),
    rec(2, { seatId: 'gala-1', userId: 'u2', status: 409 }),
  ];
  const cases: [string, HistoryRecord[], LedgerBooking[], string, RegExp | undefined][] = [
    [
      'every acknowledged booking in the ledger',
      acked,
      [booking('b1', 'gala-1', 1)],
      'pass',
      undefined,
    ],
    [
      'an acknowledged booking missing from the ledger',
      acked,
      [],
      'fail',
      /b1 of seat gala-1 was acknowledged .* not in the ledger/,
    ],
    [
      'the ledger has another token',
      acked,
      [booking('b1', 'gala-1', 2)],
      'fail',
      /told seat gala-1 token 1, the ledger has seat gala-1 token 2/,
    ],
    [
      'a ledger booking no client was told about',
      acked,
      [booking('b1', 'gala-1', 1), booking('b9', 'gala-2', 1, 'booked', 'u3')],
      'fail',
      /b9 of seat gala-2 .* no client was told/,
    ],
    [
      'explained by a request of unknown outcome',
      [...acked, rec(3, { seatId: 'gala-2', userId: 'u3', outcome: 'unknown', error: 'timeout' })],
      [booking('b1', 'gala-1', 1), booking('b9', 'gala-2', 1, 'booked', 'u3')],
      'pass',
      undefined,
    ],
    [
      'every outcome unknown',
      [rec(1, { seatId: 'gala-1', outcome: 'unknown' })],
      [],
      'unknown',
      undefined,
    ],
  ];
  for (const [name, history, ledger, status, witness] of cases)
    test(name, () => {
      const v = judgeBookingHistory(history, ledger, window);
      assert.equal(v.status, status, v.summary);
      if (witness) assert.match(v.witness?.description ?? '', witness);
    });
  test('counts the operations of unknown outcome', () => {
    const v = judgeBookingHistory(
      [...acked, rec(3, { seatId: 'gala-5', outcome: 'unknown' })],
      [booking('b1', 'gala-1', 1)],
      window,
    );
    assert.equal(v.unknownOperations, 1);
  });
});

const job = (seq: number, term: number, leader: string): JobRecord => ({
  seq,
  term,
  leader,
  at: new Date(T + seq * 1000).toISOString(),
});

describe('scheduler-terms', () => {
  const cases: [
    string,
    JobRecord[],
    { at: number; leader: string | null; term: number | null }[],
    string,
    RegExp | undefined,
  ][] = [
    [
      'gap-free, one leader per term',
      [job(1, 10, 's0'), job(2, 10, 's0'), job(3, 14, 's1')],
      [],
      'pass',
      undefined,
    ],
    ['a gap', [job(1, 10, 's0'), job(3, 10, 's0')], [], 'fail', /gap: seq 1 is followed by 3/],
    [
      'a stale term writes',
      [job(1, 10, 's0'), job(2, 14, 's1'), job(3, 10, 's0')],
      [],
      'fail',
      /stale write: seq 3 by s0 in term 10 after seq 2 in term 14/,
    ],
    [
      'two leaders in one term',
      [job(1, 10, 's0'), job(2, 10, 's1')],
      [],
      'fail',
      /term 10 has two leaders/,
    ],
    [
      'two leaders reported for one term',
      [job(1, 10, 's0')],
      [
        { at: T, leader: 's0', term: 10 },
        { at: T + 1, leader: 's2', term: 10 },
      ],
      'fail',
      /term 10 reported with two leaders: s0 and s2/,
    ],
    ['an empty log', [], [], 'unknown', undefined],
  ];
  for (const [name, jobs, samples, status, witness] of cases)
    test(name, () => {
      const v = judgeSchedulerTerms(jobs, { samples });
      assert.equal(v.status, status, v.summary);
      if (witness) assert.match(v.witness?.description ?? '', witness);
    });
});

describe('gateway-sticky', () => {
  const me = (seq: number, session: string, servedBy: string): HistoryRecord =>
    rec(seq * 1000, {
      op: 'session-me',
      method: 'GET',
      route: '/sessions/me',
      sessionId: session,
      servedBy,
      status: 200,
    });
  const fault = {
    experimentId: 'kill',
    targets: ['booking-0'],
    startedAt: T + 5000,
    endedAt: T + 6000,
  };
  const cases: [string, HistoryRecord[], string, RegExp | undefined][] = [
    [
      'stays on its replica',
      [me(1, 's1', 'booking-0'), me(2, 's1', 'booking-0'), me(3, 's2', 'booking-1')],
      'pass',
      undefined,
    ],
    [
      'moves away from a killed replica',
      [me(1, 's1', 'booking-0'), me(5, 's1', 'booking-1'), me(8, 's1', 'booking-1')],
      'pass',
      undefined,
    ],
    [
      'moves while its replica was ready',
      [me(1, 's1', 'booking-0'), me(2, 's1', 'booking-2')],
      'fail',
      /session s1 moved from booking-0 to booking-2 while booking-0 was ready/,
    ],
    ['no session answers', [], 'unknown', undefined],
  ];
  for (const [name, history, status, witness] of cases)
    test(name, () => {
      const v = judgeSticky(history, [fault], 1000);
      assert.equal(v.status, status, v.summary);
      if (witness) assert.match(v.witness?.description ?? '', witness);
    });
});
