import { allowed, type Candidate, type PickContext, type Picker } from './picker.js';

/**
 * The candidate with the fewest requests in flight, weighted (`inFlight / weight`); ties go
 * round robin so an idle pool still spreads evenly. O(n) per pick: fine for tens of backends.
 */
export class LeastRequestPicker implements Picker {
  readonly name = 'least-request';
  #start = 0;

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    const n = candidates.length;
    let best: C | undefined;
    let bestLoad = Infinity;
    const start = this.#start++ % Math.max(1, n);
    for (let i = 0; i < n; i++) {
      const c = candidates[(start + i) % n]!;
      if (!allowed(c, ctx)) continue;
      const load = c.inFlight / c.weight;
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    }
    return best;
  }
}
