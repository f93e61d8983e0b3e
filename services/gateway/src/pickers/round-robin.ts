import { allowed, type Candidate, type PickContext, type Picker } from './picker.js';

/** Each candidate in turn. Exactly even over any whole number of rounds. */
export class RoundRobinPicker implements Picker {
  readonly name = 'round-robin';
  #next = 0;

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const c = candidates[(this.#next + i) % n]!;
      if (allowed(c, ctx)) {
        this.#next = (this.#next + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }
}
