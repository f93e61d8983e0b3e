/**
 * A small seedable PRNG (mulberry32): uniform floats in [0, 1), the same sequence for the
 * same 32-bit seed. For load-balancing picks, jitter and fault decisions that tests and chaos
 * runs must be able to replay; never for anything secret.
 */
import { randomInt } from 'node:crypto';

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh 32-bit seed, to report back so a run can be replayed. */
export function randomSeed(): number {
  return randomInt(0, 0xffff_ffff);
}
