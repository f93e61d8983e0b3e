/**
 * Configuration from the environment: one zod schema per service over `PREFIX_*` variables,
 * parsed once at start. Every invalid or missing variable is reported, by its full name.
 */
import { z } from 'zod';

/** Thrown by {@link parseConfig}; `problems` lists every bad variable. */
export class ConfigError extends Error {
  readonly isConfigError = true;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Brand guard: works across copies of this package, unlike `instanceof`. */
export function isConfigError(e: unknown): e is ConfigError {
  return typeof e === 'object' && e !== null && (e as ConfigError).isConfigError === true;
}

/**
 * Parses `env` against `shape`, whose keys are variable names without the prefix
 * (`PORT` reads `BOOKING_PORT`). Returns a frozen object keyed like `shape`.
 */
export function parseConfig<S extends z.ZodRawShape>(
  prefix: string,
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
  refine?: (value: z.infer<z.ZodObject<S>>) => string[],
): Readonly<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const raw = env[`${prefix}_${key}`];
    // An empty variable means "not set", so defaults apply (as in most shells' ${X:-default}).
    input[key] = raw === '' ? undefined : raw;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const raw = input[key];
        const shown = raw === undefined ? 'missing' : `got ${JSON.stringify(raw)}`;
        return `${prefix}_${key}: ${issue.message} (${shown})`;
      }),
    );
  }
  const problems = refine?.(result.data) ?? [];
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(result.data);
}

/**
 * {@link parseConfig} for a process entry point: on bad input it prints every problem to
 * stderr and exits with 78 (EX_CONFIG), before anything else starts.
 */
export function loadConfig<S extends z.ZodRawShape>(
  prefix: string,
  shape: S,
  refine?: (value: z.infer<z.ZodObject<S>>) => string[],
): Readonly<z.infer<z.ZodObject<S>>> {
  try {
    return parseConfig(prefix, shape, process.env, refine);
  } catch (e) {
    if (!isConfigError(e)) throw e;
    process.stderr.write(`${prefix.toLowerCase()}: ${e.message}\n`);
    process.exit(78);
  }
}

/** Env helpers: strings in, typed values out, with messages that say what is allowed. */
export const env = {
  /** `on|off|true|false|1|0|yes|no`. */
  bool: (fallback: boolean) =>
    z
      .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], {
        message: 'expected one of on, off, true, false, 1, 0, yes, no',
      })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['on', 'true', '1', 'yes'].includes(v))),
  /** An integer within [min, max]. */
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce
      .number({ message: 'expected a number' })
      .int({ message: 'expected an integer' })
      .min(min, { message: `expected an integer >= ${min}` })
      .max(max, { message: `expected an integer <= ${max}` })
      .default(fallback),
  /** A number within [min, max]. */
  number: (fallback: number, min = 0, max = Number.MAX_VALUE) =>
    z.coerce
      .number({ message: 'expected a number' })
      .min(min, { message: `expected a number >= ${min}` })
      .max(max, { message: `expected a number <= ${max}` })
      .default(fallback),
  /** A TCP port (0 = pick a free one). */
  port: (fallback: number) => env.int(fallback, 0, 65535),
  /** A non-empty string. */
  string: (fallback?: string) =>
    fallback === undefined
      ? z.string({ message: 'required' }).min(1, { message: 'must not be empty' })
      : z.string().min(1).default(fallback),
  /** A comma-separated list of non-empty items. */
  list: (fallback: string[] = []) =>
    z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? fallback
          : v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      ),
  /** One of a fixed set of words. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { message: `expected one of ${values.join(', ')}` }).default(fallback),
};
