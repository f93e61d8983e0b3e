/**
 * Phase 2, apply: one fault order per target, applied in parallel, each with a span that lasts
 * as long as the fault; the exact applied records go into the run record for recovery.
 */
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import type { CandidatePod } from '../experiment/targeting.js';
import type { AppliedFault, FaultOrder } from './platform-driver.js';
import { liveOf, tracer } from './run-context.js';
import type { RunContext } from './run-context.js';

/** A fault order and what it applied. */
export interface AppliedOrder {
  order: FaultOrder;
  done: AppliedFault[];
}

export async function applyPhase(
  ctx: RunContext,
  round: readonly CandidatePod[],
): Promise<AppliedOrder[]> {
  const live = liveOf(ctx);
  const spec = ctx.experiment.spec;
  const orders: FaultOrder[] = round.map((target, i) => ({
    experimentId: ctx.id,
    fault: spec.fault,
    target,
    ...(spec.target.link === undefined ? {} : { link: spec.target.link }),
    ttlMs: ctx.ttlMs,
    // One stream of draws per target, still replayable from the run's seed.
    seed: (ctx.seed + i) >>> 0,
  }));
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
  try {
    const done = await ctx.action.apply(ctx.driver, order);
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
  } catch (e) {
    fspan.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
    fspan.end();
    live.fail('apply', `${order.target.name}: ${(e as Error).message}`);
    return undefined;
  }
}
