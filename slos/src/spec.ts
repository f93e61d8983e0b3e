/**
 * The SLO file format (documented in slos/README.md): OpenSLO's shape (apiVersion, kind,
 * metadata, spec with service, budgetingMethod, timeWindow, objectives, indicator), kept small,
 * with faultline's three indicator kinds instead of OpenSLO's free-form metric sources.
 */
import { z } from 'zod';
import { DURATION_FORM, durationSeconds, parseDuration } from './duration.js';
import { errorBudget } from './slo.js';
import { windowSetsFor } from './windows.js';

export const SLO_API_VERSION = 'slo.faultline.dev/v1alpha1';

/**
 * Bucket bounds of `http_server_request_duration_seconds` (services/kit/src/metrics.ts,
 * HTTP_DURATION_BUCKETS). Written out because this package depends on nothing internal; the
 * playground integration test compares it with the `le` labels the services really expose.
 */
export const HTTP_DURATION_BUCKET_BOUNDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The longest long window of the standard set: a shorter period makes its budget share meaningless. */
const MIN_PERIOD = '3d';

const name = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
  message:
    'expected lower-case letters, digits and dashes, starting with a letter (e.g. availability)',
});

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: `expected ${DURATION_FORM}`,
});

const routeRef = z.strictObject({
  method: z.enum(METHODS),
  route: z.string().startsWith('/', { message: 'expected a route template starting with /' }),
});

const httpIndicator = {
  /** Prometheus scrape job of the service's replicas (`job` label). */
  job: z.string().min(1),
  routes: z.array(routeRef).min(1),
};

const windowQuery = z
  .string()
  .min(1)
  .refine((q) => q.includes('$window'), {
    message: 'expected a PromQL expression containing $window (the range, e.g. rate(x[$window]))',
  });

const INDICATOR_KINDS = ['availability', 'latency', 'ratio'] as const;

const indicator = z
  .strictObject({
    availability: z.strictObject(httpIndicator).optional(),
    latency: z
      .strictObject({
        ...httpIndicator,
        thresholdSeconds: z.number().refine((t) => HTTP_DURATION_BUCKET_BOUNDS.includes(t), {
          message: `expected a bucket bound of http_server_request_duration_seconds (the histogram can only answer at its bounds); allowed: ${HTTP_DURATION_BUCKET_BOUNDS.join(', ')}`,
        }),
      })
      .optional(),
    ratio: z.strictObject({ errorQuery: windowQuery, totalQuery: windowQuery }).optional(),
  })
  .refine((i) => INDICATOR_KINDS.filter((k) => i[k] !== undefined).length === 1, {
    message: `expected exactly one indicator kind; allowed: ${INDICATOR_KINDS.join(', ')}`,
  });

const spec = z
  .strictObject({
    /** The service the objective is about; `sloth_service`. */
    service: name,
    description: z.string().min(1),
    budgetingMethod: z.literal('Occurrences'),
    timeWindow: z
      .array(
        z.strictObject({
          // An unreadable duration is reported once, by `duration` itself.
          duration: duration.refine(
            (d) => (parseDuration(d) ?? Infinity) >= durationSeconds(MIN_PERIOD),
            {
              message: `expected at least ${MIN_PERIOD} (the longest burn-rate window)`,
            },
          ),
          isRolling: z.literal(true),
        }),
      )
      .length(1, { message: 'expected exactly one item (one rolling window)' }),
    objectives: z
      .array(
        z.strictObject({
          displayName: z.string().optional(),
          target: z
            .number()
            .gt(0, { message: 'expected a share in (0, 1), e.g. 0.995' })
            .lt(1, { message: 'expected a share in (0, 1), e.g. 0.995' }),
        }),
      )
      .length(1, { message: 'expected exactly one item (one objective per file)' }),
    indicator,
  })
  .superRefine((s, ctx) => {
    // Every alert must be able to fire: its threshold factor × budget has to stay below 1.
    const target = s.objectives[0]?.target;
    const period = s.timeWindow[0]?.duration;
    if (target === undefined || period === undefined || parseDuration(period) === undefined) return;
    const budget = errorBudget({ objective: target });
    const maxFactor = Math.max(
      ...windowSetsFor(period).flatMap((w) => w.windows.map((x) => x.factor)),
    );
    if (maxFactor * budget >= 1)
      ctx.addIssue({
        code: 'custom',
        path: ['objectives', 0, 'target'],
        message: `the page alert would need an error ratio of ${maxFactor} × ${budget} ≥ 1 and could never fire; allowed: a target above ${Number((1 - 1 / maxFactor).toPrecision(4))}`,
      });
  });

/** One SLO file as written. */
export const sloFileSchema = z.strictObject({
  apiVersion: z.literal(SLO_API_VERSION),
  kind: z.literal('SLO'),
  metadata: z.strictObject({ name, displayName: z.string().optional() }),
  spec,
});

export type SloFile = z.infer<typeof sloFileSchema>;
