/**
 * The agent's fault vocabulary: what a client may ask for (zod schemas, a discriminated union
 * on `type`) and what the agent reports back once a fault is applied. Units are in the names:
 * `ms`, `bytesPerSec`, `percent`. Every fault carries a TTL, capped by the agent's config.
 */
import { z } from 'zod';

/** Longest delay any fault may add (latency, jitter, http-fault delay): one minute. */
export const MAX_DELAY_MS = 60_000;

/** Which way bytes travel through a link: client → target is `upstream`. */
export const directionSchema = z.enum(['upstream', 'downstream', 'both'], {
  message: 'expected one of upstream, downstream, both',
});
export type Direction = z.infer<typeof directionSchema>;

const delayMs = z
  .number({ message: 'expected a number of milliseconds' })
  .int({ message: 'expected an integer number of milliseconds' })
  .min(0, { message: 'expected >= 0' })
  .max(MAX_DELAY_MS, { message: `expected <= ${MAX_DELAY_MS}` });

/** Seeds a fault's RNG (jitter, http-fault percentage) so a run can be replayed. */
const seed = z
  .number({ message: 'expected an integer seed' })
  .int({ message: 'expected an integer seed' })
  .min(0, { message: 'expected >= 0' })
  .max(0xffff_ffff, { message: 'expected <= 4294967295' });

const noParams = z.strictObject({}).default({});

export const latencyParamsSchema = z.strictObject({
  /** Fixed delay added once per burst of chunks (a request), per affected direction. */
  ms: delayMs,
  /** Uniform jitter in [-jitterMs, +jitterMs] around `ms` (never below zero). */
  jitterMs: delayMs.default(0),
  /** `both` delays each direction, so a round trip gains twice `ms`. */
  direction: directionSchema.default('upstream'),
  seed: seed.optional(),
});

export const bandwidthParamsSchema = z.strictObject({
  /** Bytes per second, per connection and direction. */
  bytesPerSec: z
    .number({ message: 'expected a number of bytes per second' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected >= 1' })
    .max(10_000_000_000, { message: 'expected <= 10000000000' }),
  direction: directionSchema.default('both'),
});

export const softPartitionParamsSchema = z.strictObject({
  /** `refuse`: new connections are reset at once; `hang`: accepted and never served. */
  newConnections: z
    .enum(['refuse', 'hang'], { message: 'expected refuse or hang' })
    .default('refuse'),
});

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], {
  message: 'expected an HTTP method in upper case (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)',
});

export const httpFaultParamsSchema = z
  .strictObject({
    /** Requests whose path starts with this prefix are candidates. */
    routePrefix: z
      .string()
      .startsWith('/', { message: 'expected a path starting with /' })
      .max(512)
      .default('/'),
    /** Methods that are candidates; absent = every method. */
    methods: z.array(httpMethod).min(1, { message: 'expected at least one method' }).optional(),
    /** Share of candidate requests affected, 0–100. */
    percent: z
      .number({ message: 'expected a percentage' })
      .min(0, { message: 'expected >= 0' })
      .max(100, { message: 'expected <= 100' }),
    /** Answer with this status instead of forwarding (the connection is closed after it). */
    abortStatus: z
      .number({ message: 'expected an HTTP status' })
      .int({ message: 'expected an integer status' })
      .min(400, { message: 'expected a status >= 400' })
      .max(599, { message: 'expected a status <= 599' })
      .optional(),
    /** Hold the request this long before forwarding it. */
    delayMs: delayMs.optional(),
    seed: seed.optional(),
  })
  .refine((p) => p.abortStatus !== undefined || p.delayMs !== undefined, {
    message: 'expected abortStatus, delayMs or both',
    path: ['abortStatus'],
  });

/** Fields every fault request carries besides its type and parameters. */
function common(maxTtlMs: number) {
  return {
    /** Optional id chosen by the caller (idempotent re-apply replaces it); else generated. */
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
        message: 'expected 1-64 characters from A-Z a-z 0-9 . _ -',
      })
      .optional(),
    /** The fault removes itself this many milliseconds after being applied (or renewed). */
    ttlMs: ttlSchema(maxTtlMs),
    /** Experiment id: a metric label and span attribute; `none` when absent. */
    experiment: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
        message: 'expected 1-64 characters from A-Z a-z 0-9 . _ -',
      })
      .optional(),
  };
}

export function ttlSchema(maxTtlMs: number) {
  return z
    .number({ message: 'required: a TTL in milliseconds' })
    .int({ message: 'expected an integer number of milliseconds' })
    .min(1, { message: 'expected >= 1' })
    .max(maxTtlMs, { message: `expected <= ${maxTtlMs} (the agent's TTL cap)` });
}

const linkName = z.string({ message: 'required: the name of a link' }).min(1);

/** The body of `POST /faults`, for an agent whose TTL cap is `maxTtlMs`. */
export function faultRequestSchema(maxTtlMs: number) {
  const c = common(maxTtlMs);
  return z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('latency'),
      link: linkName,
      params: latencyParamsSchema,
      ...c,
    }),
    z.strictObject({
      type: z.literal('bandwidth'),
      link: linkName,
      params: bandwidthParamsSchema,
      ...c,
    }),
    z.strictObject({
      type: z.literal('partition-soft'),
      link: linkName,
      params: softPartitionParamsSchema.default({ newConnections: 'refuse' }),
      ...c,
    }),
    z.strictObject({ type: z.literal('partition-hard'), link: linkName, params: noParams, ...c }),
    z.strictObject({ type: z.literal('reset'), link: linkName, params: noParams, ...c }),
    z.strictObject({
      type: z.literal('http-fault'),
      link: linkName,
      params: httpFaultParamsSchema,
      ...c,
    }),
    z.strictObject({ type: z.literal('pause'), params: noParams, ...c }),
    z.strictObject({ type: z.literal('kill'), params: noParams, ...c }),
  ]);
}

export type FaultRequest = z.infer<ReturnType<typeof faultRequestSchema>>;
export type FaultType = FaultRequest['type'];
export type LinkFaultRequest = Exclude<FaultRequest, { type: 'pause' | 'kill' }>;
export type LatencyParams = z.infer<typeof latencyParamsSchema>;
export type BandwidthParams = z.infer<typeof bandwidthParamsSchema>;
export type HttpFaultParams = z.infer<typeof httpFaultParamsSchema>;

/** Every fault type, for docs and error messages. */
export const FAULT_TYPES = [
  'latency',
  'bandwidth',
  'partition-soft',
  'partition-hard',
  'reset',
  'http-fault',
  'pause',
  'kill',
] as const satisfies readonly FaultType[];

/** Faults on the app process rather than on a link. */
export function isProcessFault(
  f: FaultRequest,
): f is Extract<FaultRequest, { type: 'pause' | 'kill' }> {
  return f.type === 'pause' || f.type === 'kill';
}

/** A fault as the agent applied it: the request with defaults and generated values filled in. */
export interface AppliedFault {
  id: string;
  type: FaultType;
  /** Parameters as applied: defaults filled in, and the seed actually used where there is one. */
  params: Record<string, unknown>;
  /** The link, for link faults. */
  link?: string;
  /** The app process, for `pause` and `kill`. */
  pid?: number;
  /** Experiment id, `none` when the request carried none. */
  experiment: string;
  ttlMs: number;
  /** ISO 8601. */
  appliedAt: string;
  /** ISO 8601; moves on renew. */
  expiresAt: string;
  /** One-shot faults (`kill`) are done when applied and never listed as active. */
  oneShot: boolean;
}

/** An active fault as `GET /faults` lists it. */
export interface ActiveFaultView extends AppliedFault {
  remainingMs: number;
}
