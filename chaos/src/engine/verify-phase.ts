/**
 * Phase 3, verify: the platform checks that each applied fault took effect and says what it
 * saw. A check that throws is a result ("not-verified: verification failed"), never a crash.
 */
import type { VerificationResult } from '../experiment/status.js';
import { verifyApplied } from './fault-run.js';
import type { AppliedOrder } from './fault-run.js';
import { liveOf } from './run-context.js';
import type { RunContext } from './run-context.js';

export async function verifyPhase(
  ctx: RunContext,
  applied: readonly AppliedOrder[],
): Promise<VerificationResult[]> {
  const live = liveOf(ctx);
  const results = await verifyApplied(ctx.driver, applied);
  ctx.record.timings.verified ??= Date.now();
  for (const v of results) {
    ctx.record.verification.push(v);
    live.metrics.verifications.inc({ ...live.labels, outcome: v.outcome });
    live.span.addEvent('verification', { pod: v.pod, outcome: v.outcome, observed: v.observed });
    if (v.outcome === 'verified') ctx.say(`verified on ${v.pod}: ${v.observed}`);
    else live.fail('verify', `${v.pod}: ${v.outcome}: ${v.observed}`);
  }
  ctx.save();
  return results;
}
