/**
 * A proxy link as configured: a name, where the agent listens, where it forwards, and the
 * protocol (`http` links also accept `http-fault`). Given as JSON in FAULTLINE_AGENT_LINKS or
 * as objects to `new Agent(...)`.
 */
import { z } from 'zod';

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

const hostPortObject = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
});

/** `host:port`, `[v6]:port`, `{host, port}`, or a bare number: that port on 127.0.0.1. */
export const hostPortSchema = z
  .union([z.string(), z.number(), hostPortObject])
  .transform((v, ctx): HostPort => {
    if (typeof v === 'object') return v;
    const m = typeof v === 'number' ? null : HOST_PORT.exec(v);
    const host = typeof v === 'number' ? '127.0.0.1' : (m?.[1] ?? m?.[2]);
    const port = typeof v === 'number' ? v : Number(m?.[3]);
    if (!host || !Number.isInteger(port) || port < 0 || port > 65535) {
      ctx.addIssue({
        code: 'custom',
        message: `expected host:port with a port in 0-65535, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return { host, port };
  });

export const linkSpecSchema = z.strictObject({
  /** Names the dependency: `redis`, `etcd-0`, `booking`. Metric label and fault target. */
  name: z.string({ message: 'required: a link name' }).regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
    message: 'expected 1-63 characters from a-z 0-9 . _ - (starting with a letter or digit)',
  }),
  /** Where the agent listens; port 0 picks a free port (reported by `GET /links`). */
  listen: hostPortSchema.prefault('127.0.0.1:0'),
  /** Where the agent forwards. */
  target: hostPortSchema,
  /** `http` links accept `http-fault` besides the byte-level faults. */
  protocol: z.enum(['tcp', 'http'], { message: 'expected tcp or http' }).default('tcp'),
  /** `outbound`: the app's dependency; `inbound`: in front of the app's own port. */
  kind: z
    .enum(['outbound', 'inbound'], { message: 'expected outbound or inbound' })
    .default('outbound'),
});

/** What `new Agent({links})` accepts (defaults optional). */
export type LinkSpecInput = z.input<typeof linkSpecSchema>;
/** A link spec with defaults filled in. */
export type LinkSpec = z.output<typeof linkSpecSchema>;

export const linkListSchema = z.array(linkSpecSchema).superRefine((links, ctx) => {
  const seen = new Set<string>();
  links.forEach((l, i) => {
    if (seen.has(l.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate link name ${l.name}` });
    seen.add(l.name);
  });
});

/** Parses FAULTLINE_AGENT_LINKS: a JSON array of link specs; every problem named by path. */
export const linksJsonSchema = z.string().transform((raw, ctx): LinkSpec[] => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a JSON array of links' });
    return z.NEVER;
  }
  const r = linkListSchema.safeParse(value);
  if (!r.success) {
    for (const i of r.error.issues)
      ctx.addIssue({
        code: 'custom',
        message: `links.${i.path.map(String).join('.')}: ${i.message}`,
      });
    return z.NEVER;
  }
  return r.data;
});
