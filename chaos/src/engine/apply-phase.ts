/**
 * Phase 2, apply: one fault order per target, applied in parallel, each with a span that lasts
 * as long as the fault; the exact applied records go into the run record for recovery.
 */
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import type { CandidatePod } from '../experiment/targeting.js';
import { applyOrder, faultOrders } from './fault-run.js';
import type { AppliedOrder } from './fault-run.js';
import type { FaultOrder } from './platform-driver.js';
import { liveOf, tracer } from './run-context.js';
import type { RunContext } from './run-context.js';

export async function applyPhase(
  ctx: RunContext,
  round: readonly CandidatePod[],
): Promise<AppliedOrder[]> {
  const live = liveOf(ctx);
  const orders = faultOrders(
    { experimentId: ctx.id, spec: ctx.experiment.spec, ttlMs: ctx.ttlMs, seed: ctx.seed },
    round,
  );
  const applied = await Promise.all(orders.map((order) => applyOne(ctx, order)));
  ctx.record.timings.applied ??= Date.now();
  ctx.save();
  if (applied.some((a) => a === undefined)) live.applyFailed = true;
  return applied.filter((a) => a !== undefined);
}

async function applyOne(ctx: RunContext, order: FaultOrder): Promise<AppliedOrder | undefined> {
  const live = liveOf(ctx);
  const type = ctx.experiment.spec.fault.type;
  const fspan = tracer.startSpan(
    `fault ${type} ${order.target.name}`,
    { attributes: { 'faultline.experiment': ctx.id, 'faultline.fault.target': order.target.name } },
    trace.setSpan(context.active(), live.span),
  );
  const outcome = await applyOrder(ctx.driver, ctx.action, order);
  if (outcome.ok) {
    const { done } = outcome;
    ctx.record.applied.push(...done);
    for (const a of done) {
      live.metrics.applied.inc(live.labels);
      if (a.faultId) live.faultSpans.set(a.faultId, fspan);
      ctx.say(
        `applied ${type} to ${a.pod}${a.agentPod ? ` via ${a.agentPod}'s agent${a.link ? ` (link ${a.link})` : ''}, fault ${a.faultId}, ttl ${ctx.ttlMs} ms` : ''}`,
      );
    }
    if (ctx.action.oneShot) fspan.end();
    return { order, done };
  }
  fspan.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
  fspan.end();
  live.fail('apply', `${order.target.name}: ${outcome.error.message}`);
  return undefined;
}
