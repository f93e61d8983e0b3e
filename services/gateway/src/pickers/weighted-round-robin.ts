import { allowed, type Candidate, type PickContext, type Picker } from './picker.js';

/**
 * nginx's smooth weighted round robin: every pick adds each weight to a running score, takes
 * the highest and subtracts the total. Exactly proportional per cycle of `sum(weights)` picks,
 * and interleaved (weights 5,1,1 give a a b a c a a, not a a a a a b c).
 */
export class WeightedRoundRobinPicker implements Picker {
  readonly name = 'weighted-round-robin';
  readonly #score = new Map<string, number>();

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    let best: C | undefined;
    let bestScore = -Infinity;
    let total = 0;
    for (const c of candidates) {
      if (!allowed(c, ctx)) continue;
      const score = (this.#score.get(c.id) ?? 0) + c.weight;
      this.#score.set(c.id, score);
      total += c.weight;
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best) this.#score.set(best.id, bestScore - total);
    // Forget backends that left, so the map stays as small as the pool.
    if (this.#score.size > candidates.length * 2) this.#prune(candidates);
    return best;
  }

  #prune(candidates: readonly Candidate[]): void {
    const live = new Set(candidates.map((c) => c.id));
    for (const id of this.#score.keys()) if (!live.has(id)) this.#score.delete(id);
  }
}
