/**
 * The agent's randomness: the kit's seedable PRNG, so the same seed gives the same jitter and
 * the same http-fault decisions and a chaos run can be replayed.
 */
import { randomSeed, seededRandom, type Random } from '@faultline/kit/seeded-random';

export type Rng = Random;
export { randomSeed, seededRandom as seededRng };
