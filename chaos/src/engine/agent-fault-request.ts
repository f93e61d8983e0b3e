/**
 * An experiment's fault in the agent's vocabulary (`POST /faults` body): `partition` + mode →
 * `partition-soft` / `partition-hard`, `pod-pause` → `pause`, `pod-kill` → `kill`, `latencyMs`
 * → `ms`. Shared by every platform whose pods run the faultline agent.
 */
import type { ExperimentFault } from '../experiment/spec.js';

/** The agent request for `fault` on `link` (absent for process faults). */
export function agentFaultRequest(
  fault: ExperimentFault,
  opts: { link?: string; ttlMs: number; experimentId: string; seed: number },
): Record<string, unknown> {
  const common = { ttlMs: opts.ttlMs, experiment: opts.experimentId };
  const link = opts.link === undefined ? {} : { link: opts.link };
  switch (fault.type) {
    case 'pod-kill':
      return { type: 'kill', ...common };
    case 'pod-pause':
      return { type: 'pause', ...common };
    case 'latency':
      return {
        type: 'latency',
        ...link,
        ...common,
        params: {
          ms: fault.latencyMs,
          jitterMs: fault.jitterMs,
          direction: fault.direction,
          seed: opts.seed,
        },
      };
    case 'bandwidth':
      return {
        type: 'bandwidth',
        ...link,
        ...common,
        params: { bytesPerSec: fault.bytesPerSec, direction: fault.direction },
      };
    case 'partition':
      return fault.mode === 'hard'
        ? { type: 'partition-hard', ...link, ...common }
        : {
            type: 'partition-soft',
            ...link,
            ...common,
            params: { newConnections: fault.newConnections ?? 'refuse' },
          };
    case 'http-fault':
      return {
        type: 'http-fault',
        ...link,
        ...common,
        params: {
          percent: fault.percent,
          routePrefix: fault.routePrefix,
          ...(fault.methods ? { methods: fault.methods } : {}),
          ...(fault.abortStatus !== undefined ? { abortStatus: fault.abortStatus } : {}),
          ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
          seed: opts.seed,
        },
      };
  }
}
