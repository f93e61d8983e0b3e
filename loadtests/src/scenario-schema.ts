/**
 * The scenario file both runners read (`loadtests/scenarios/*.yaml`): arrival model with k6's
 * `constant-arrival-rate` / `ramping-arrival-rate` semantics, the in-flight bound (k6's VUs),
 * a request timeout, the seats in play and the journey as weighted steps.
 */
import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from './duration.js';
import { OPERATION_NAMES } from './operations.js';

const duration = z
  .string({ message: `expected a duration such as ${DURATION_EXAMPLES}` })
  .refine((s) => parseDuration(s) !== undefined && parseDuration(s)! > 0, {
    message: `expected a positive duration such as ${DURATION_EXAMPLES}`,
  });

const rate = z.number().positive();

const constantArrival = z.strictObject({
  executor: z.literal('constant-arrival-rate'),
  /** Requests started per `timeUnit`. */
  rate,
  timeUnit: duration.default('1s'),
  duration,
});

const rampingArrival = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  startRate: z.number().min(0).default(0),
  timeUnit: duration.default('1s'),
  /** Linear ramps from the previous rate to `target` over `duration`, as k6 does. */
  stages: z.array(z.strictObject({ target: z.number().min(0), duration })).min(1),
});

const bookStep = z.strictObject({
  op: z.literal('book'),
  weight: z.number().positive(),
  /** Share (0..1) of bookings sent with an `Idempotency-Key`; only those are retried. */
  idempotencyKeyShare: z.number().min(0).max(1).default(0),
  /** Retries, with the same key, after a network error or timeout (unknown outcome). */
  retries: z.int().min(0).max(5).default(0),
});

const otherStep = z.strictObject({
  op: z.enum(OPERATION_NAMES.filter((o) => o !== 'book') as [string, ...string[]]),
  weight: z.number().positive(),
});

const step = z.discriminatedUnion('op', [bookStep, otherStep]);

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: 'expected lowercase letters, digits and -, such as booking-rush',
  }),
  description: z.string().min(1),
  /** Always through the gateway; the runner resolves its URL (local state file, chart Service). */
  target: z.literal('gateway').default('gateway'),
  arrival: z.discriminatedUnion('executor', [constantArrival, rampingArrival]),
  /** In-flight bound = k6's VUs (preAllocatedVUs = maxVUs); over it a request is dropped. */
  maxInFlight: z.int().min(1).max(100_000),
  timeout: duration.default('5s'),
  seats: z
    .strictObject({
      show: z
        .string()
        .regex(/^[a-z][a-z0-9]{0,31}$/, { message: 'expected a show id such as gala' }),
      from: z.int().min(1).default(1),
      count: z.int().min(1).max(100_000),
    })
    .default({ show: 'gala', from: 1, count: 100 }),
  journey: z.array(step).min(1),
  /** Seed for step, seat and key choices, so two runs of a scenario send the same requests. */
  seed: z.int().min(0).default(1),
});

/** A validated scenario (defaults filled in). */
export type Scenario = z.infer<typeof scenarioSchema>;
export type JourneyStep = Scenario['journey'][number];
