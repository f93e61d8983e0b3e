import { allowed, type Candidate, type PickContext, type Picker, type Random } from './picker.js';

/** Uniformly random: the baseline the other algorithms are compared against. */
export class RandomPicker implements Picker {
  readonly name = 'random';
  constructor(private readonly random: Random = Math.random) {}

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    const pool = ctx?.exclude?.size ? candidates.filter((c) => allowed(c, ctx)) : candidates;
    return pool[Math.floor(this.random() * pool.length)];
  }
}
