/**
 * The experiment spec: the one source of truth for `chaos.faultline.dev/v1alpha1` `Experiment`.
 * The same zod schema validates YAML files, generates the editors' JSON Schema and the CRD's
 * OpenAPI schema (see generate-schemas.ts), so every field's description below ends up in all
 * three. Units are in the names (`Ms`, `BytesPerSec`, `percent`); durations are strings
 * (`30s`, `2m`) parsed into milliseconds. Depends on nothing internal (DESIGN.md).
 */
import { z } from 'zod';
import { DURATION_EXAMPLES, DURATION_PATTERN, parseDuration } from './duration.js';

/** `apiVersion` of every experiment. */
export const EXPERIMENT_API_VERSION = 'chaos.faultline.dev/v1alpha1';
/** `kind` of every experiment. */
export const EXPERIMENT_KIND = 'Experiment';
/** Targets must carry this label (key=value) unless the spec names another one. */
export const DEFAULT_OPT_IN_LABEL = 'chaos.faultline.dev/enabled=true';
/** Largest share of a service's replicas one experiment may affect without an override. */
export const DEFAULT_MAX_REPLICA_SHARE = 0.5;
/** Longest `spec.duration` accepted unless the loader is configured otherwise: one hour. */
export const DEFAULT_MAX_DURATION_MS = 3_600_000;
/** Longest delay a fault may add (the agent's cap): one minute. */
export const MAX_FAULT_DELAY_MS = 60_000;

/** Every fault type, in the order the docs list them. */
export const EXPERIMENT_FAULT_TYPES = [
  'pod-kill',
  'pod-pause',
  'latency',
  'bandwidth',
  'partition',
  'http-fault',
] as const;
export type ExperimentFaultType = (typeof EXPERIMENT_FAULT_TYPES)[number];

/** Faults that act on a link of the target's agent and therefore need `target.link`. */
export const LINK_FAULT_TYPES: readonly ExperimentFaultType[] = [
  'latency',
  'bandwidth',
  'http-fault',
];

/**
 * A strict object whose unknown-field error lists the fields that are allowed. The loader
 * turns the issue into one problem per unknown key, positioned on that key.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `unknown field; allowed: ${allowed}` : undefined,
  });
}

/** A positive duration string, parsed into milliseconds, at most `maxMs` (game-day specs use it too). */
export function duration(maxMs: number) {
  return (
    z
      .string({
        error: (iss) =>
          iss.input === undefined
            ? `required; allowed: a duration such as ${DURATION_EXAMPLES}`
            : `expected a duration such as ${DURATION_EXAMPLES}, got ${JSON.stringify(iss.input)}`,
      })
      // For editors and the CRD; the transform below gives the precise message.
      .meta({ pattern: DURATION_PATTERN.source })
      .transform((text, ctx) => {
        const ms = parseDuration(text);
        if (ms === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: text.startsWith('-')
              ? `negative duration ${text}; allowed: a positive duration such as ${DURATION_EXAMPLES}`
              : `invalid duration ${JSON.stringify(text)}; allowed: a number with a unit ms, s, m or h, such as ${DURATION_EXAMPLES}`,
          });
          return z.NEVER;
        }
        if (ms <= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `duration ${text} is zero; allowed: a positive duration such as ${DURATION_EXAMPLES}`,
          });
          return z.NEVER;
        }
        if (ms > maxMs) {
          ctx.addIssue({
            code: 'custom',
            message: `duration ${text} is longer than the maximum; allowed: up to ${maxMs} ms`,
          });
          return z.NEVER;
        }
        return ms;
      })
  );
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const dnsLabel = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .regex(DNS_LABEL, { error: `expected ${what}; allowed: 1-63 characters a-z 0-9 -` });

const LABEL_KEY =
  /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;
const labels = z.record(
  z
    .string()
    .regex(LABEL_KEY, { error: 'expected a label key such as app or chaos.faultline.dev/enabled' }),
  z.string({ error: 'expected a label value (a string; quote numbers)' }).regex(LABEL_VALUE, {
    error: 'expected a label value: up to 63 characters A-Z a-z 0-9 . _ -',
  }),
);

const delayMs = z.number().int().min(0).max(MAX_FAULT_DELAY_MS);

const direction = z.enum(['upstream', 'downstream', 'both']);

const metadataSchema = strictObject({
  name: dnsLabel('an experiment name').describe(
    'Name of the experiment: 1-63 characters a-z 0-9 -. Also its id in metrics, spans and NetworkPolicy labels.',
  ),
  namespace: dnsLabel('a namespace')
    .optional()
    .describe(
      'Namespace the targets live in. Default: the platform\'s namespace (kubernetes: the current context\'s; local: "local").',
    ),
  labels: labels
    .optional()
    .describe('Labels on the experiment itself (kubernetes metadata labels).'),
}).describe('Standard object metadata; in files only name, namespace and labels.');

const modeSchema = z
  .union(
    [
      z.enum(['one', 'all']),
      strictObject({
        fixed: z
          .number()
          .int()
          .min(1)
          .describe('Exactly this many matching pods; more than match is refused at apply time.'),
      }),
      strictObject({
        percent: z
          .number()
          .gt(0)
          .max(100)
          .describe(
            'This share of matching pods, 0 < percent <= 100, rounded down but at least one.',
          ),
      }),
    ],
    { error: 'expected a target mode; allowed: one, all, {fixed: N}, {percent: P}' },
  )
  .default('one')
  .describe(
    'How many of the matching pods to affect: one (default, chosen at random), all, {fixed: N} or {percent: P}.',
  );

const targetSchema = strictObject({
  service: dnsLabel('a service name').describe(
    'Service whose replicas are targeted (booking, scheduler, etcd ...).',
  ),
  selector: labels
    .default({})
    .describe(
      'Labels a pod must carry (all of them) to be a candidate. Default: none beyond the service.',
    ),
  role: z
    .enum(['leader', 'follower'])
    .optional()
    .describe(
      "Only pods in this role (the scheduler's leader or its followers), resolved at apply time.",
    ),
  mode: modeSchema,
  link: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
      error:
        'expected a link name; allowed: 1-63 characters a-z 0-9 . _ - (redis, etcd-1, booking)',
    })
    .optional()
    .describe(
      "For network faults: the target agent's link to affect (redis, etcd, etcd-1, a service). Required for latency, bandwidth and http-fault; for partition, absent means every link of the target (it is cut off entirely).",
    ),
}).describe('Which pods the fault is applied to.');

const podKillSchema = strictObject({
  type: z
    .literal('pod-kill')
    .describe('Kill the pod: SIGKILL locally, delete with grace period 0 on kubernetes.'),
});

const podPauseSchema = strictObject({
  type: z
    .literal('pod-pause')
    .describe("Pause the pod's app process (SIGSTOP) for the duration, then resume it (SIGCONT)."),
});

const latencySchema = strictObject({
  type: z.literal('latency').describe('Delay traffic through the link.'),
  latencyMs: delayMs.describe(
    `Delay in milliseconds added once per request burst, per affected direction. 0-${MAX_FAULT_DELAY_MS}.`,
  ),
  jitterMs: delayMs
    .default(0)
    .describe(
      'Uniform jitter in milliseconds: each delay is latencyMs ± jitterMs (never below 0). Default 0.',
    ),
  direction: direction
    .default('upstream')
    .describe(
      'Which way is delayed: upstream (requests, towards the link target; default), downstream (responses) or both (a round trip gains twice latencyMs).',
    ),
});

const bandwidthSchema = strictObject({
  type: z.literal('bandwidth').describe('Throttle traffic through the link.'),
  bytesPerSec: z
    .number()
    .int()
    .min(1)
    .max(10_000_000_000)
    .describe('Rate limit in bytes per second, per connection and direction. 1-10000000000.'),
  direction: direction
    .default('both')
    .describe('Which way is throttled: upstream, downstream or both (default).'),
});

const partitionSchema = strictObject({
  type: z.literal('partition').describe('Cut the target off from the link (or from everything).'),
  mode: z
    .enum(['soft', 'hard'])
    .describe(
      'soft: new connections fail, established ones keep working; hard: established connections go silent too.',
    ),
  mechanism: z
    .enum(['agent', 'networkpolicy'])
    .default('agent')
    .describe(
      "How: agent (default; the target's agent proxy, any platform) or networkpolicy (kubernetes only; hard partitions only).",
    ),
  newConnections: z
    .enum(['refuse', 'hang'])
    .optional()
    .describe(
      'Soft partitions only: new connections are refused at once (refuse, default) or accepted and never served (hang).',
    ),
});

const httpFaultSchema = strictObject({
  type: z.literal('http-fault').describe('Abort or delay HTTP requests through an http link.'),
  percent: z
    .number()
    .gt(0)
    .max(100)
    .describe('Share of candidate requests affected, 0 < percent <= 100.'),
  abortStatus: z
    .number()
    .int()
    .min(400)
    .max(599)
    .optional()
    .describe('Answer affected requests with this status (400-599) instead of forwarding them.'),
  delayMs: delayMs
    .optional()
    .describe(
      `Hold affected requests this many milliseconds before forwarding (0-${MAX_FAULT_DELAY_MS}).`,
    ),
  routePrefix: z
    .string()
    .startsWith('/')
    .max(512)
    .default('/')
    .describe('Only requests whose path starts with this prefix are candidates. Default /.'),
  methods: z
    .array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
    .min(1)
    .optional()
    .describe(
      'Only requests with these methods (upper case) are candidates. Default: every method.',
    ),
});

const faultSchema = z
  .discriminatedUnion(
    'type',
    [
      podKillSchema,
      podPauseSchema,
      latencySchema,
      bandwidthSchema,
      partitionSchema,
      httpFaultSchema,
    ],
    {
      error: (iss) => {
        if (iss.code !== 'invalid_union') return undefined;
        const allowed = `allowed: ${EXPERIMENT_FAULT_TYPES.join(', ')}`;
        const type: unknown =
          typeof iss.input === 'object' && iss.input !== null
            ? (iss.input as { type?: unknown }).type
            : undefined;
        if (typeof iss.input !== 'object' || iss.input === null)
          return `expected a mapping with a fault type; ${allowed}`;
        return type === undefined
          ? `required: a fault type; ${allowed}`
          : `unknown fault type ${JSON.stringify(type)}; ${allowed}`;
      },
    },
  )
  .describe(`What to do to the targets, by type: ${EXPERIMENT_FAULT_TYPES.join(', ')}.`);

function repeatSchema(maxDurationMs: number) {
  return strictObject({
    interval: duration(maxDurationMs).describe(
      'Time between two applications, such as 10s; the first is at the start. pod-kill only.',
    ),
  }).describe('Re-apply a one-shot fault (pod-kill) at this interval until the duration is over.');
}

function abortConditionSchema(maxDurationMs: number) {
  return strictObject({
    promql: z
      .string()
      .min(1)
      .describe('A PromQL expression; the condition is true while it returns at least one sample.'),
    for: duration(maxDurationMs)
      .optional()
      .describe(
        'The expression must stay true this long (such as 30s) before the experiment aborts. Default: at once.',
      ),
  });
}

function safetySchema(maxDurationMs: number) {
  return strictObject({
    allowedNamespaces: z
      .array(dnsLabel('a namespace'))
      .min(1)
      .optional()
      .describe('Targets must live in one of these namespaces. Default: any.'),
    allowedServices: z
      .array(dnsLabel('a service name'))
      .min(1)
      .optional()
      .describe('The target service must be one of these. Default: any.'),
    optInLabel: z
      .string()
      .regex(/^[^=\s]+=[^=\s]*$/, {
        error: 'expected key=value, such as chaos.faultline.dev/enabled=true',
      })
      .default(DEFAULT_OPT_IN_LABEL)
      .describe(`Every target must carry this label (key=value). Default ${DEFAULT_OPT_IN_LABEL}.`),
    maxReplicaShare: z
      .number()
      .gt(0)
      .max(1)
      .default(DEFAULT_MAX_REPLICA_SHARE)
      .describe(
        `Largest share (0 < share <= 1) of a service's replicas that may be affected, counting replicas already not ready. Default ${DEFAULT_MAX_REPLICA_SHARE}.`,
      ),
    allowFullService: z
      .boolean()
      .default(false)
      .describe(
        'Explicit override: allow affecting more than maxReplicaShare, up to every replica. Without it, a spec that would take the whole service is refused. Default false.',
      ),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'Resolve targets and print exactly what would be done, changing nothing. Default false.',
      ),
    abortWhen: z
      .array(abortConditionSchema(maxDurationMs))
      .optional()
      .describe('Abort conditions: when any is true, every fault is recovered at once.'),
  })
    .prefault({})
    .describe('Guard rails checked before anything is applied, and while the experiment runs.');
}

/** Options for the schema: limits a deployment may tighten. */
export interface ExperimentSchemaOptions {
  /** Longest `spec.duration` (and repeat interval, abort `for`) accepted, ms. Default one hour. */
  maxDurationMs?: number;
}

/** The `spec` of an experiment, with the cross-field rules (link needed, repeat only for kills). */
export function experimentSpecSchema(options: ExperimentSchemaOptions = {}) {
  const maxDurationMs = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  return strictObject({
    target: targetSchema,
    fault: faultSchema,
    duration: duration(maxDurationMs).describe(
      `How long the fault lasts, such as 30s or 2m (required; at most ${maxDurationMs / 1000} s by default). pod-kill: how long the experiment watches (and repeats).`,
    ),
    repeat: repeatSchema(maxDurationMs).optional(),
    safety: safetySchema(maxDurationMs),
    seed: z
      .number()
      .int()
      .min(0)
      .max(0xffff_ffff)
      .optional()
      .describe(
        "Seeds target selection and the fault's randomness (jitter, http-fault percentage) so a run can be replayed. Default: random, reported.",
      ),
  })
    .superRefine((spec, ctx) => {
      const type = spec.fault.type;
      if (LINK_FAULT_TYPES.includes(type) && spec.target.link === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['target', 'link'],
          message: `required for ${type} faults: the agent link to affect, such as redis, etcd or a service`,
        });
      }
      if ((type === 'pod-kill' || type === 'pod-pause') && spec.target.link !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['target', 'link'],
          message: `not used by ${type} faults (they act on the whole pod); allowed: only with ${[...LINK_FAULT_TYPES, 'partition'].join(', ')}`,
        });
      }
      if (spec.repeat !== undefined) {
        if (type !== 'pod-kill') {
          ctx.addIssue({
            code: 'custom',
            path: ['repeat'],
            message: `repeat is only for one-shot faults; allowed with: pod-kill (this fault is ${type})`,
          });
        } else if (spec.repeat.interval >= spec.duration) {
          ctx.addIssue({
            code: 'custom',
            path: ['repeat', 'interval'],
            message:
              'interval is not shorter than the duration, so the fault would run once; allowed: interval < duration',
          });
        }
      }
      if (spec.fault.type === 'partition') {
        if (spec.fault.mechanism === 'networkpolicy' && spec.fault.mode === 'soft') {
          ctx.addIssue({
            code: 'custom',
            path: ['fault', 'mode'],
            message:
              'a NetworkPolicy drops every packet, so it can only make hard partitions; allowed: hard with networkpolicy, soft with agent',
          });
        }
        if (spec.fault.newConnections !== undefined && spec.fault.mode !== 'soft') {
          ctx.addIssue({
            code: 'custom',
            path: ['fault', 'newConnections'],
            message: 'only for soft partitions (hard ones hang every connection)',
          });
        }
      }
      if (
        spec.fault.type === 'http-fault' &&
        spec.fault.abortStatus === undefined &&
        spec.fault.delayMs === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['fault', 'abortStatus'],
          message: 'an http-fault needs abortStatus, delayMs or both',
        });
      }
    })
    .describe('What to do to which pods, for how long, and within which guard rails.');
}

/** A whole experiment document (YAML file or CRD object without status). */
export function experimentSchema(options: ExperimentSchemaOptions = {}) {
  return strictObject({
    apiVersion: z.literal(EXPERIMENT_API_VERSION).describe(`Always ${EXPERIMENT_API_VERSION}.`),
    kind: z.literal(EXPERIMENT_KIND).describe(`Always ${EXPERIMENT_KIND}.`),
    metadata: metadataSchema,
    spec: experimentSpecSchema(options),
  }).describe('A faultline chaos experiment: one fault on selected pods for a bounded time.');
}

/** A validated experiment: defaults filled in, durations in milliseconds. */
export type Experiment = z.output<ReturnType<typeof experimentSchema>>;
/** What a YAML file may say (defaults optional, durations as strings). */
export type ExperimentInput = z.input<ReturnType<typeof experimentSchema>>;
export type ExperimentSpec = Experiment['spec'];
export type ExperimentTarget = ExperimentSpec['target'];
export type TargetMode = ExperimentTarget['mode'];
export type ExperimentFault = ExperimentSpec['fault'];
export type ExperimentSafety = ExperimentSpec['safety'];
export type AbortCondition = NonNullable<ExperimentSafety['abortWhen']>[number];

/** Splits `key=value` (the opt-in label) into its parts. */
export function parseLabelRequirement(requirement: string): { key: string; value: string } {
  const i = requirement.indexOf('=');
  return { key: requirement.slice(0, i), value: requirement.slice(i + 1) };
}
