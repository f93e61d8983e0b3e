import { LeastRequestPicker } from './least-request.js';
import type { Picker, PickerName, Random } from './picker.js';
import { PowerOfTwoPicker } from './power-of-two.js';
import { RandomPicker } from './random.js';
import { RingHashPicker } from './ring-hash.js';
import { RoundRobinPicker } from './round-robin.js';
import { WeightedRoundRobinPicker } from './weighted-round-robin.js';

export interface PickerOptions {
  random?: Random;
  virtualNodes?: number;
}

/** A fresh picker by name (each upstream owns its own: pickers keep state). */
export function createPicker(name: PickerName, opts: PickerOptions = {}): Picker {
  const random = opts.random ?? Math.random;
  switch (name) {
    case 'round-robin':
      return new RoundRobinPicker();
    case 'weighted-round-robin':
      return new WeightedRoundRobinPicker();
    case 'least-request':
      return new LeastRequestPicker();
    case 'power-of-two':
      return new PowerOfTwoPicker(random);
    case 'ring-hash':
      return new RingHashPicker({
        random,
        ...(opts.virtualNodes ? { virtualNodes: opts.virtualNodes } : {}),
      });
    case 'random':
      return new RandomPicker(random);
  }
}
