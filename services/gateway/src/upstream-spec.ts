/**
 * The shape of `GATEWAY_UPSTREAMS`: a JSON array of upstreams, each a named backend set
 * reached by a path prefix, with its picker, stickiness and discovery source.
 */
import { z } from 'zod';
import { PICKER_NAMES } from './pickers/picker.js';

/** `host:port` or `host:port*weight` (weight defaults to 1). */
const backendString = z
  .string()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}(\*\d{1,4})?$/, {
    message: 'expected "host:port" or "host:port*weight"',
  })
  .transform((s) => {
    const [address, weight] = s.split('*');
    const at = address!.lastIndexOf(':');
    return {
      host: address!.slice(0, at).replace(/^\[|\]$/g, ''),
      port: Number(address!.slice(at + 1)),
      weight: weight === undefined ? 1 : Number(weight),
    };
  });

const backendObject = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  weight: z.number().int().min(1).max(1000).default(1),
});

export const BackendSpec = z.union([backendString, backendObject], {
  message: 'expected "host:port", "host:port*weight" or {host, port, weight}',
});
export type BackendSpec = z.infer<typeof backendObject>;

/** Where a request's ring-hash key comes from. */
export const HashOn = z
  .string()
  .regex(/^(header:[A-Za-z0-9-]+|cookie:[A-Za-z0-9_.-]+|source-ip)$/, {
    message: 'expected "header:<name>", "cookie:<name>" or "source-ip"',
  });

export const DiscoverySpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('static'), backends: z.array(BackendSpec).min(1) }),
  z.object({
    kind: z.literal('local'),
    /** A file path or an http(s) URL answering `{"endpoints":[{host,port,ready,...}]}`. */
    source: z.string().min(1),
    intervalMs: z.number().int().min(50).default(1000),
  }),
  z.object({
    kind: z.literal('endpointslices'),
    namespace: z.string().min(1).default('default'),
    /** The Service whose EndpointSlices (label kubernetes.io/service-name) are watched. */
    service: z.string().min(1),
    /** Which named port of the slice to use; default the first. */
    portName: z.string().min(1).optional(),
  }),
]);
export type DiscoverySpec = z.infer<typeof DiscoverySpec>;

export const UpstreamSpec = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'expected a DNS-label-like name' }),
  /** Requests whose path starts with this prefix go here; the longest matching prefix wins. */
  prefix: z.string().startsWith('/', { message: 'must start with /' }).default('/'),
  picker: z.enum(PICKER_NAMES).default('round-robin'),
  hashOn: HashOn.default('source-ip'),
  sticky: z
    .object({
      cookie: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .default('faultline_gw'),
      ttlSec: z.number().int().min(1).default(3600),
    })
    .optional(),
  discovery: DiscoverySpec,
});
export type UpstreamSpec = z.infer<typeof UpstreamSpec>;

export const UpstreamsSpec = z.array(UpstreamSpec).min(1, { message: 'at least one upstream' });

/** Parses the JSON text of `GATEWAY_UPSTREAMS`; problems name the JSON path. */
export function parseUpstreams(text: string): { value?: UpstreamSpec[]; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { problems: [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const result = UpstreamsSpec.safeParse(json);
  if (!result.success) {
    return {
      problems: result.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      ),
    };
  }
  const problems: string[] = [];
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const u of result.data) {
    if (names.has(u.name)) problems.push(`${u.name}: duplicate upstream name`);
    if (prefixes.has(u.prefix)) problems.push(`${u.name}: duplicate prefix ${u.prefix}`);
    names.add(u.name);
    prefixes.add(u.prefix);
  }
  return problems.length ? { problems } : { value: result.data, problems };
}
