/**
 * The game-day spec (`gamedays/*.yaml`, `kind: GameDay`, in the experiments' API group): a
 * hypothesis (SLOs that must hold, steady-state checks), load, phase durations, a chaos
 * schedule of experiments (files or inline) with start offsets, abort rules, checkers, and
 * overrides that only a negative control may use. Defined with zod so validation errors name
 * the YAML path and what is allowed.
 */
import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from '../experiment/duration.js';
import {
  DEFAULT_MAX_DURATION_MS,
  duration,
  EXPERIMENT_API_VERSION,
  experimentSpecSchema,
  strictObject,
} from '../experiment/spec.js';
import { OVERRIDE_NAMES } from './overrides.js';

export const GAMEDAY_KIND = 'GameDay';

/** Checkers a game day may ask for. */
export const CHECKER_NAMES = [
  'booking-ledger',
  'booking-history',
  'scheduler-terms',
  'gateway-sticky',
] as const;
export type CheckerName = (typeof CHECKER_NAMES)[number];

/** A zero-or-positive offset into the chaos phase (`0s` allowed, unlike durations). */
const offset = z
  .string({ error: `expected an offset such as 0s, 30s, 2m` })
  .transform((text, ctx) => {
    const ms = text === '0' ? 0 : parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid offset ${JSON.stringify(text)}; allowed: 0s or a duration such as ${DURATION_EXAMPLES}`,
      });
      return z.NEVER;
    }
    return ms;
  });

/** `>= 2`, `< 0.01`, `== 1`: a comparison a steady-state value must satisfy. */
const TOLERANCE = /^(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/;
export function parseTolerance(text: string): { op: string; value: number } | undefined {
  const m = TOLERANCE.exec(text.trim());
  return m ? { op: m[1]!, value: Number(m[2]) } : undefined;
}

const steadyStateSchema = strictObject({
  name: z.string().min(1).describe('What the check says in words, such as "booking replicas up".'),
  promql: z.string().min(1).describe('PromQL instant query returning one number.'),
  tolerance: z
    .string()
    .refine((t) => parseTolerance(t) !== undefined, {
      message: 'expected a comparison such as ">= 2" or "< 0.01"; allowed operators: >= <= > < ==',
    })
    .describe('The comparison the value must satisfy, such as ">= 2".'),
});

const experimentMetadata = strictObject({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'expected an experiment name; allowed: 1-63 characters a-z 0-9 -',
  }),
});

const scheduleItemSchema = strictObject({
  experiment: z
    .string()
    .min(1)
    .optional()
    .describe('Path of an experiment file, relative to the game-day file.'),
  inline: strictObject({ metadata: experimentMetadata, spec: z.unknown() })
    .optional()
    .describe('An experiment written here: metadata.name and an experiment spec.'),
  at: offset.describe('Start offset into the chaos phase, such as 0s or 90s.'),
  duration: duration(DEFAULT_MAX_DURATION_MS)
    .optional()
    .describe("Overrides the experiment's own duration."),
}).superRefine((item, ctx) => {
  if ((item.experiment === undefined) === (item.inline === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'give exactly one of experiment (a file) or inline (a spec)',
    });
  if (item.inline) {
    const r = experimentSpecSchema().safeParse(item.inline.spec);
    if (!r.success)
      for (const issue of r.error.issues)
        ctx.addIssue({
          code: 'custom',
          path: ['inline', 'spec', ...issue.path.map((p) => (typeof p === 'symbol' ? 0 : p))],
          message: issue.message,
        });
  }
});

const abortConditionSchema = strictObject({
  promql: z.string().min(1).describe('PromQL; any sample returned counts as holding.'),
  for: duration(DEFAULT_MAX_DURATION_MS)
    .optional()
    .describe('How long it must hold before the game day aborts.'),
});

export const gameDaySpecSchema = strictObject({
  hypothesis: strictObject({
    statement: z.string().min(1).describe('The hypothesis in words.'),
    slos: z
      .array(z.string().min(1))
      .min(1)
      .describe('Names of SLOs in slos/ that must hold over the game day.'),
    steadyState: z
      .array(steadyStateSchema)
      .default([])
      .describe('Checked through the baseline (before chaos) and at the end of recovery.'),
  }),
  load: strictObject({
    scenario: z.string().min(1).describe('A scenario of loadtests/scenarios (name or path).'),
    rate: z.number().positive().max(10_000).describe('Requests per second.'),
    runner: z
      .enum(['auto', 'embedded', 'k6'])
      .default('auto')
      .describe(
        'auto: the embedded generator (it records every outcome, as the history checkers need); k6 is refused until it can.',
      ),
  }),
  phases: strictObject({
    baseline: duration(DEFAULT_MAX_DURATION_MS).describe('Load without faults, before chaos.'),
    chaos: duration(DEFAULT_MAX_DURATION_MS).describe('The schedule runs in this phase.'),
    recovery: duration(DEFAULT_MAX_DURATION_MS).describe('Load without faults, after chaos.'),
  }),
  schedule: z.array(scheduleItemSchema).min(1).describe('Experiments and when they start.'),
  abort: strictObject({
    onPageAlert: z
      .boolean()
      .default(true)
      .describe('Abort when a page-severity burn-rate alert of a hypothesis SLO fires.'),
    when: z.array(abortConditionSchema).default([]),
  }).prefault({}),
  checkers: z.array(z.enum(CHECKER_NAMES)).default([]),
  negativeControl: z
    .boolean()
    .default(false)
    .describe('This game day is expected to fail (overrides are allowed only then).'),
  overrides: z
    .partialRecord(
      z.enum(OVERRIDE_NAMES),
      z.union([z.string(), z.number(), z.boolean()], {
        error: 'expected a string, number or boolean',
      }),
    )
    .default({})
    .describe(
      `Platform settings changed for this game day; allowed: ${OVERRIDE_NAMES.join(', ')}.`,
    ),
  recoveryEvaluations: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Consecutive evaluations within objective that count as recovered.'),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
})
  .superRefine((spec, ctx) => {
    if (Object.keys(spec.overrides).length > 0 && !spec.negativeControl)
      ctx.addIssue({
        code: 'custom',
        path: ['overrides'],
        message: 'overrides weaken the system under test; allowed only with negativeControl: true',
      });
    for (const [i, item] of spec.schedule.entries())
      if (item.at >= spec.phases.chaos)
        ctx.addIssue({
          code: 'custom',
          path: ['schedule', i, 'at'],
          message: `starts at or after the end of the chaos phase (${spec.phases.chaos} ms); allowed: at < phases.chaos`,
        });
  })
  .describe('What the game day tests, and how.');

export const gameDaySchema = strictObject({
  apiVersion: z.literal(EXPERIMENT_API_VERSION).describe(`Always ${EXPERIMENT_API_VERSION}.`),
  kind: z.literal(GAMEDAY_KIND).describe(`Always ${GAMEDAY_KIND}.`),
  metadata: strictObject({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
      message: 'expected a game-day name; allowed: 1-63 characters a-z 0-9 -',
    }),
    description: z.string().optional(),
  }),
  spec: gameDaySpecSchema,
});

export type GameDay = z.output<typeof gameDaySchema>;
export type GameDaySpec = GameDay['spec'];
export type ScheduleItem = GameDaySpec['schedule'][number];
