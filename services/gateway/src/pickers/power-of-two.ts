import { allowed, type Candidate, type PickContext, type Picker, type Random } from './picker.js';

/**
 * Power of two choices: two distinct candidates at random, the less loaded one wins. Nearly
 * as good as least request at avoiding a slow backend, without a scan and without the herd
 * that "everyone picks the global minimum" causes when load reports are stale.
 */
export class PowerOfTwoPicker implements Picker {
  readonly name = 'power-of-two';
  constructor(private readonly random: Random = Math.random) {}

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    const pool = ctx?.exclude?.size ? candidates.filter((c) => allowed(c, ctx)) : candidates;
    const n = pool.length;
    if (n <= 1) return pool[0];
    const i = Math.floor(this.random() * n);
    // A second index different from the first, uniformly.
    let j = Math.floor(this.random() * (n - 1));
    if (j >= i) j++;
    const a = pool[i]!;
    const b = pool[j]!;
    return b.inFlight / b.weight < a.inFlight / a.weight ? b : a;
  }
}
