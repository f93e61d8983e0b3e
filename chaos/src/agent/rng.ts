/**
 * A small seedable PRNG (mulberry32): the same seed gives the same jitter and the same
 * http-fault decisions, so a chaos run can be replayed. Not for anything secret.
 */
import { randomInt } from 'node:crypto';

export type Rng = () => number;

/** Returns a function yielding floats in [0, 1), deterministic for a given 32-bit seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed, for faults applied without one (reported back so the run can be replayed). */
export function randomSeed(): number {
  return randomInt(0, 0xffff_ffff);
}
