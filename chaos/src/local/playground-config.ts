/**
 * The local playground's configuration: a YAML file (optional) over built-in defaults, then
 * command-line overrides. Every field has a default, so `faultline up --local` needs nothing.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

export const PlaygroundConfigSchema = z
  .object({
    /** Where state.json, logs and data live. */
    stateDir: z.string().min(1).default('.state/local'),
    replicas: z
      .object({
        booking: z.number().int().min(1).max(16).default(3),
        scheduler: z.number().int().min(1).max(16).default(3),
        gateway: z.number().int().min(1).max(1).default(1),
      })
      .strict()
      .default({ booking: 3, scheduler: 3, gateway: 1 }),
    /** etcd members: 3 by default so quorum loss can be shown; 1 for a lighter run. */
    etcdMembers: z.union([z.literal(1), z.literal(3), z.literal(5)]).default(3),
    ports: z
      .object({
        gateway: port.default(8080),
        gatewayAdmin: port.default(9901),
        prometheus: port.default(9090),
        redis: port.default(7379),
        /** etcd member i: client base+i, peer base+100+i. */
        etcdBase: port.default(7380),
        /** replica i of booking: base+i (agents' admin: base+50+i). */
        bookingBase: port.default(7401),
        schedulerBase: port.default(7501),
        /** The local Jaeger: OTLP/HTTP receiver, query API (HTTP and gRPC), health check. */
        jaegerOtlpHttp: port.default(4318),
        jaegerQuery: port.default(16686),
        jaegerQueryGrpc: port.default(16685),
        jaegerHealth: port.default(13133),
      })
      .strict()
      .default({
        gateway: 8080,
        gatewayAdmin: 9901,
        prometheus: 9090,
        redis: 7379,
        etcdBase: 7380,
        bookingBase: 7401,
        schedulerBase: 7501,
        jaegerOtlpHttp: 4318,
        jaegerQuery: 16686,
        jaegerQueryGrpc: 16685,
        jaegerHealth: 13133,
      }),
    tracing: z
      .object({
        /** Run the local Jaeger v2 when its binary is there (scripts/jaeger-binary.sh builds it). */
        jaeger: z.boolean().default(true),
        /** Root sampling ratio for every service; unset = OTEL_TRACES_SAMPLER_ARG, else 0.1. */
        samplingRatio: z.number().min(0).max(1).optional(),
        /** Jaeger's memory store keeps at most this many traces (oldest evicted first). */
        maxTraces: z.number().int().min(100).max(1_000_000).default(10_000),
      })
      .strict()
      .default({ jaeger: true, maxTraces: 10_000 }),
    /** Seconds a component may take to become ready before start-up gives up. */
    readyTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    scheduler: z
      .object({
        leaseTtlSeconds: z.number().int().min(1).default(3),
        tickMs: z.number().int().min(50).default(1000),
      })
      .strict()
      .default({ leaseTtlSeconds: 3, tickMs: 1000 }),
  })
  .strict();

export type PlaygroundConfig = z.infer<typeof PlaygroundConfigSchema>;

export class PlaygroundConfigError extends Error {
  readonly isPlaygroundConfigError = true;
}

/** Reads `file` (if given) and applies `overrides` (already-typed values from flags). */
export function loadPlaygroundConfig(
  file: string | undefined,
  overrides: Record<string, unknown> = {},
): PlaygroundConfig {
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new PlaygroundConfigError(`${file}: cannot read (${(e as Error).message})`);
    }
    const doc = parseDocument(text, { keepSourceTokens: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new PlaygroundConfigError(
        `${file}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: ${e.message}`,
      );
    }
    raw = doc.toJS() ?? {};
  }
  const merged = deepMerge(raw, overrides);
  const parsed = PlaygroundConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const where = file ?? 'flags';
    throw new PlaygroundConfigError(
      parsed.error.issues
        .map((i) => `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}

function deepMerge(base: unknown, over: Record<string, unknown>): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) base = {};
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? deepMerge(out[k], v as Record<string, unknown>)
        : v;
  }
  return out;
}
