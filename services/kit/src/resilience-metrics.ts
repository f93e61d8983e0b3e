/**
 * Resilience hooks turned into Prometheus series at the edge: the policies (breaker, bulkhead,
 * retry) only call hooks, and this file is the one place that knows metric names. Registration
 * is idempotent per registry, so several clients of one app can each ask for their hooks.
 */
import {
  Counter,
  Gauge,
  type Registry as PromRegistry,
  type RegistryContentType,
} from 'prom-client';

/** Any prom-client registry, OpenMetrics (the kit's) or classic text. */
type Registry = PromRegistry<RegistryContentType>;
import type { BreakerHooks, BreakerState } from './breaker.js';
import type { BulkheadHooks } from './bulkhead.js';
import type { RetryOptions } from './retry.js';

/** Gauge value of each breaker state in `faultline_breaker_state`. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  open: 1,
  'half-open': 2,
};

/** Hooks for named circuit breakers, recording `faultline_breaker_*`. */
export function breakerMetrics(registry: Registry): { hooksFor(name: string): BreakerHooks } {
  const state = gauge(registry, {
    name: 'faultline_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open.',
    labelNames: ['breaker'] as const,
  });
  const transitions = counter(registry, {
    name: 'faultline_breaker_transitions_total',
    help: 'Circuit breaker state transitions.',
    labelNames: ['breaker', 'from', 'to'] as const,
  });
  const rejections = counter(registry, {
    name: 'faultline_breaker_rejections_total',
    help: 'Calls refused by an open (or busy half-open) circuit breaker.',
    labelNames: ['breaker'] as const,
  });
  return {
    hooksFor(name) {
      // Series exist from the start, so "never opened" reads 0 rather than no data.
      state.set({ breaker: name }, BREAKER_STATE_VALUE.closed);
      rejections.inc({ breaker: name }, 0);
      return {
        onStateChange(from, to) {
          state.set({ breaker: name }, BREAKER_STATE_VALUE[to]);
          transitions.inc({ breaker: name, from, to });
        },
        onReject() {
          rejections.inc({ breaker: name });
        },
      };
    },
  };
}

/** Hooks for named bulkheads, recording `faultline_bulkhead_*` (USE: utilisation, saturation). */
export function bulkheadMetrics(registry: Registry): { hooksFor(name: string): BulkheadHooks } {
  const active = gauge(registry, {
    name: 'faultline_bulkhead_active',
    help: 'Calls running inside the bulkhead.',
    labelNames: ['bulkhead'] as const,
  });
  const queued = gauge(registry, {
    name: 'faultline_bulkhead_queue_length',
    help: 'Calls waiting for a bulkhead slot.',
    labelNames: ['bulkhead'] as const,
  });
  const saturation = gauge(registry, {
    name: 'faultline_bulkhead_saturation_ratio',
    help: '(active + queued) / (maxConcurrent + maxQueue) of the bulkhead.',
    labelNames: ['bulkhead'] as const,
  });
  const rejections = counter(registry, {
    name: 'faultline_bulkhead_rejections_total',
    help: 'Calls refused by a bulkhead, by reason (queue-full, queue-timeout).',
    labelNames: ['bulkhead', 'reason'] as const,
  });
  return {
    hooksFor(name) {
      const labels = { bulkhead: name };
      active.set(labels, 0);
      queued.set(labels, 0);
      saturation.set(labels, 0);
      return {
        onChange(a, q, s) {
          active.set(labels, a);
          queued.set(labels, q);
          saturation.set(labels, s);
        },
        onReject(reason) {
          rejections.inc({ bulkhead: name, reason });
        },
      };
    },
  };
}

/** The hook subset of {@link RetryOptions} that metrics fill in; spread it into the options. */
export type RetryHooks = Required<Pick<RetryOptions, 'onRetry' | 'onBudgetExhausted'>>;

/** Hooks for named retried operations, recording `faultline_retries_total` and budget refusals. */
export function retryMetrics(registry: Registry): { hooksFor(operation: string): RetryHooks } {
  const retries = counter(registry, {
    name: 'faultline_retries_total',
    help: 'Retries made (first attempts not included).',
    labelNames: ['operation'] as const,
  });
  const exhausted = counter(registry, {
    name: 'faultline_retry_budget_exhausted_total',
    help: 'Retries refused because the retry budget was exhausted.',
    labelNames: ['operation'] as const,
  });
  return {
    hooksFor(operation) {
      retries.inc({ operation }, 0);
      exhausted.inc({ operation }, 0);
      return {
        onRetry() {
          retries.inc({ operation });
        },
        onBudgetExhausted() {
          exhausted.inc({ operation });
        },
      };
    },
  };
}

interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

/** An existing counter of that name in `registry`, or a new one registered there. */
function counter<L extends string>(registry: Registry, spec: MetricSpec<L>): Counter<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) {
    if (!(existing instanceof Counter)) {
      throw new Error(`${spec.name} is registered as non-counter`);
    }
    return existing;
  }
  return new Counter({ ...spec, registers: [registry] });
}

/** An existing gauge of that name in `registry`, or a new one registered there. */
function gauge<L extends string>(registry: Registry, spec: MetricSpec<L>): Gauge<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) {
    if (!(existing instanceof Gauge)) throw new Error(`${spec.name} is registered as non-gauge`);
    return existing;
  }
  return new Gauge({ ...spec, registers: [registry] });
}
