// Distribution of every picker over deterministic seeds (table-driven), and the two
// properties that justify the clever ones: power of two choices avoids a slow backend that
// random keeps feeding, and ring hash moves about K/N keys when a backend joins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPicker } from './create-picker.js';
import { seededRandom } from '@faultline/kit/seeded-random';
import { PICKER_NAMES, type Candidate, type PickerName } from './picker.js';
import { RingHashPicker } from './ring-hash.js';

class FakeBackend implements Candidate {
  inFlight = 0;
  constructor(
    readonly id: string,
    readonly weight = 1,
  ) {}
}

const backends = (n: number, weights?: number[]) =>
  Array.from({ length: n }, (_, i) => new FakeBackend(`10.0.0.${i + 1}:8080`, weights?.[i] ?? 1));

/** Picks `n` times (each request finishes before the next: inFlight stays 0). */
function countPicks(name: PickerName, pool: FakeBackend[], n: number, seed: number) {
  const picker = createPicker(name, { random: seededRandom(seed) });
  const counts = new Map<string, number>(pool.map((b) => [b.id, 0]));
  for (let i = 0; i < n; i++) {
    const b = picker.pick(pool, { hashKey: `user-${i}` })!;
    counts.set(b.id, counts.get(b.id)! + 1);
  }
  return [...counts.values()];
}

describe('distribution over sequential requests', () => {
  const cases: { name: PickerName; weights?: number[]; tolerance: number }[] = [
    { name: 'round-robin', tolerance: 0 },
    { name: 'least-request', tolerance: 0 }, // ties rotate: exactly even when idle
    { name: 'weighted-round-robin', weights: [1, 2, 3, 4], tolerance: 0 },
    { name: 'power-of-two', tolerance: 0.08 },
    { name: 'random', tolerance: 0.08 },
    { name: 'ring-hash', tolerance: 0.2 }, // 160 vnodes: within 20 % of even
  ];
  for (const c of cases) {
    for (const seed of [1, 42, 2024]) {
      test(`${c.name} (seed ${seed})${c.weights ? ` weights ${c.weights.join(':')}` : ''}`, () => {
        const pool = backends(4, c.weights);
        const n = 10_000;
        const counts = countPicks(c.name, pool, n, seed);
        const total = pool.reduce((s, b) => s + b.weight, 0);
        pool.forEach((b, i) => {
          const expected = (n * b.weight) / total;
          const off = Math.abs(counts[i]! - expected) / expected;
          assert.ok(
            off <= c.tolerance + 1e-9,
            `${b.id}: ${counts[i]} vs expected ${expected} (off ${off.toFixed(3)})`,
          );
        });
      });
    }
  }
});

test('least request stays within 5 % of even with overlapping requests (seeded)', () => {
  const pool = backends(5);
  const picker = createPicker('least-request');
  const random = seededRandom(7);
  const active: FakeBackend[] = [];
  const counts = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const b = picker.pick(pool)!;
    b.inFlight++;
    active.push(b);
    counts.set(b.id, (counts.get(b.id) ?? 0) + 1);
    // A random earlier request finishes, on average keeping ~10 in flight.
    while (active.length > 10 || (active.length > 0 && random() < 0.5)) {
      const done = active.splice(Math.floor(random() * active.length), 1)[0]!;
      done.inFlight--;
    }
  }
  for (const [id, n] of counts) assert.ok(Math.abs(n - 4000) / 4000 <= 0.05, `${id}: ${n}`);
});

test('every picker honours exclude and returns undefined when all are excluded', () => {
  for (const name of PICKER_NAMES) {
    const pool = backends(3);
    const picker = createPicker(name, { random: seededRandom(3) });
    for (let i = 0; i < 50; i++) {
      const b = picker.pick(pool, { exclude: new Set([pool[0]!]), hashKey: `k${i}` });
      assert.ok(b && b !== pool[0], `${name} picked an excluded backend`);
    }
    assert.equal(picker.pick(pool, { exclude: new Set(pool), hashKey: 'k' }), undefined, name);
    assert.equal(picker.pick([], {}), undefined, name);
  }
});

/**
 * A discrete-event simulation: Poisson arrivals at 75 % of total capacity over 5 backends,
 * each a single FIFO server with exponential service; one backend is 5× slower. Returns the
 * mean latency in units of the fast mean service time.
 */
function simulateSkewedLatency(name: PickerName, seed: number): number {
  const random = seededRandom(seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const means = [1, 1, 1, 1, 5];
  const pool = means.map((m, i) => Object.assign(new FakeBackend(`b${i}`), { mean: m, freeAt: 0 }));
  const capacity = means.reduce((s, m) => s + 1 / m, 0);
  const picker = createPicker(name, { random: seededRandom(seed + 1) });
  const completions: { at: number; b: (typeof pool)[number] }[] = [];
  let now = 0;
  let total = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    now += exp(1 / (0.75 * capacity));
    // Finish everything due before this arrival (keeps inFlight = queue length honest).
    for (let j = completions.length - 1; j >= 0; j--) {
      if (completions[j]!.at <= now) {
        completions[j]!.b.inFlight--;
        completions.splice(j, 1);
      }
    }
    const b = picker.pick(pool)!;
    const start = Math.max(now, b.freeAt);
    b.freeAt = start + exp(b.mean);
    b.inFlight++;
    completions.push({ at: b.freeAt, b });
    total += b.freeAt - now;
  }
  return total / n;
}

test('power of two choices beats random on a skewed-latency backend set (simulated)', () => {
  for (const seed of [1, 2, 3]) {
    const random = simulateSkewedLatency('random', seed);
    const p2c = simulateSkewedLatency('power-of-two', seed);
    const least = simulateSkewedLatency('least-request', seed);
    // Random sends the slow backend 1/5 of the load, beyond its capacity: its queue grows
    // without bound. P2C sees the queue and routes around it.
    assert.ok(
      p2c * 3 < random,
      `seed ${seed}: p2c mean ${p2c.toFixed(2)} vs random ${random.toFixed(2)}`,
    );
    assert.ok(
      least <= p2c * 1.5,
      `seed ${seed}: least-request ${least.toFixed(2)} vs p2c ${p2c.toFixed(2)}`,
    );
  }
});

describe('ring hash', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `session-${i}`);
  const owners = (picker: RingHashPicker, pool: FakeBackend[]) =>
    keys.map((k) => picker.ownerOf(pool, k)!.id);

  for (const n of [3, 4, 8]) {
    test(`adding a backend to ${n} moves about K/${n + 1} keys, all to the new one`, () => {
      const picker = new RingHashPicker();
      const pool = backends(n);
      const before = owners(picker, pool);
      const grown = [...pool, new FakeBackend('10.0.9.9:8080')];
      const after = owners(picker, grown);
      let moved = 0;
      for (let i = 0; i < keys.length; i++) {
        if (before[i] === after[i]) continue;
        moved++;
        assert.equal(after[i], '10.0.9.9:8080', 'a key moved between two old backends');
      }
      const share = moved / keys.length;
      const ideal = 1 / (n + 1);
      assert.ok(
        Math.abs(share - ideal) <= ideal * 0.25,
        `moved ${share.toFixed(3)}, ideal ${ideal.toFixed(3)}`,
      );
    });
  }

  test('keys stay put while the set is unchanged, across pickers and list order', () => {
    const pool = backends(5);
    const a = owners(new RingHashPicker(), pool);
    const b = owners(new RingHashPicker(), [...pool].reverse());
    assert.deepEqual(a, b);
    assert.deepEqual(owners(new RingHashPicker(), pool), a);
  });

  test('removing a backend moves only its own keys', () => {
    const picker = new RingHashPicker();
    const pool = backends(5);
    const before = owners(picker, pool);
    const after = owners(
      picker,
      pool.filter((b) => b.id !== pool[2]!.id),
    );
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== pool[2]!.id) assert.equal(after[i], before[i]);
    }
  });
});
