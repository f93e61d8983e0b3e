/**
 * Phase 5, recover: undo exactly what was applied, confirm nothing is left, and close the run
 * (phase, message, span, annotation, metrics).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ExperimentPhase } from '../experiment/status.js';
import { liveOf } from './run-context.js';
import type { RunContext } from './run-context.js';
import { appliedKey } from './run-registry.js';

export async function recoverPhase(ctx: RunContext): Promise<void> {
  const live = liveOf(ctx);
  const { record, say } = ctx;
  const type = ctx.experiment.spec.fault.type;
  record.phase = 'Recovering';
  ctx.save();
  await Promise.all(
    record.applied.map(async (a) => {
      try {
        await ctx.action.recover(ctx.driver, a);
        record.recovered.push(appliedKey(a));
        live.metrics.recovered.inc(live.labels);
        if (a.faultId) {
          live.faultSpans.get(a.faultId)?.end();
          say(
            `recovered ${a.agentFaultType ?? type} on ${a.pod}${a.agentPod && a.agentPod !== a.pod ? ` (at ${a.agentPod})` : ''}`,
          );
        }
      } catch (e) {
        live.fail('recover', `${a.pod}: ${(e as Error).message}`);
      }
    }),
  );
  record.timings.recovered = Date.now();
  const leftovers = (
    await Promise.all(
      record.applied.map(async (a) =>
        (await ctx.driver.isActive(a).catch(() => true)) ? a : undefined,
      ),
    )
  ).filter((a) => a !== undefined);
  for (const a of leftovers)
    live.fail('recover', `${a.pod}: fault ${a.faultId} is still active in ${a.agentPod}'s agent`);
  await finish(ctx);
}

/** The run's final phase and message, written everywhere the run is visible. */
async function finish(ctx: RunContext): Promise<void> {
  const live = liveOf(ctx);
  const { record, experiment } = ctx;
  const { failures, end } = live;
  const phase: ExperimentPhase =
    end.reason === 'abort' || (end.reason === 'stop' && failures.length === 0)
      ? 'Aborted'
      : failures.length > 0
        ? 'Failed'
        : 'Completed';
  record.phase = phase;
  record.message =
    end.reason === 'abort'
      ? live.trip?.reason
      : failures.length > 0
        ? failures.join('; ')
        : end.reason === 'stop'
          ? 'stopped on request; everything recovered'
          : 'completed; everything recovered';
  record.finishedAt = new Date().toISOString();
  record.timings.finished = Date.now();
  live.metrics.running.set({ ...live.labels, name: experiment.metadata.name }, 0);
  live.span.setAttribute('faultline.experiment.phase', phase);
  if (failures.length > 0)
    live.span.setStatus({ code: SpanStatusCode.ERROR, message: failures[0] });
  live.span.end();
  ctx.save();
  await live.annotations.annotate(
    `chaos ${ctx.id} ${phase}: ${record.message ?? ''}`,
    ['faultline', 'chaos', ctx.id],
    live.startedAt,
    Date.now(),
  );
  await live.metrics.close();
}
