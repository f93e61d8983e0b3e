/**
 * Between resolve and apply: the run becomes live — metrics served (and announced to
 * Prometheus), a span opened, a Grafana annotation, and a stop listener so SIGTERM or a game
 * day's abort recovers everything.
 */
import { ExperimentMetrics } from './experiment-metrics.js';
import { grafanaAnnotations } from './grafana-annotations.js';
import { recordedTarget } from './fault-run.js';
import { tracer } from './run-context.js';
import type { LiveRun, RunContext } from './run-context.js';
import type { CandidatePod } from '../experiment/targeting.js';

export async function goLive(
  ctx: RunContext,
  targets: readonly CandidatePod[],
  explanation: string,
): Promise<LiveRun> {
  const { o, record, experiment, say } = ctx;
  const metrics = new ExperimentMetrics();
  const metricsHost = await metrics.serve();
  record.metricsUrl = `http://${metricsHost}/metrics`;
  if (o.scrapeTargetsDir) metrics.announce(o.scrapeTargetsDir, ctx.id, metricsHost);
  const labels = { experiment: ctx.id, fault: experiment.spec.fault.type };
  metrics.running.set({ ...labels, name: experiment.metadata.name }, 1);
  const span = tracer.startSpan(`experiment ${experiment.metadata.name}`, {
    attributes: {
      'faultline.experiment': ctx.id,
      'faultline.experiment.name': experiment.metadata.name,
      'faultline.fault.type': experiment.spec.fault.type,
      'faultline.platform': ctx.driver.platform,
      'faultline.experiment.duration_ms': ctx.durationMs,
    },
  });
  const startedAt = Date.now();
  const live: LiveRun = {
    metrics,
    labels,
    span,
    faultSpans: new Map(),
    annotations: grafanaAnnotations(o.grafana, (m) => say(`warning: ${m}`)),
    failures: [],
    applyFailed: false,
    stop: new AbortController(),
    end: { reason: 'duration' },
    startedAt,
    endsAt: startedAt + ctx.durationMs,
    fail(stage, message) {
      live.failures.push(message);
      if (stage !== 'verify') metrics.failed.inc({ ...labels, stage });
      span.addEvent(`${stage} failed`, { message });
      say(`FAILED (${stage}): ${message}`);
    },
  };
  ctx.live = live;
  record.phase = 'Running';
  record.endsAt = new Date(live.endsAt).toISOString();
  record.targets = targets.map(recordedTarget);
  ctx.save();
  say(`experiment ${ctx.id} (${ctx.driver.platform}): ${explanation.split('\n')[0]}`);
  say(
    `targets: ${targets.map((t) => `${t.name}${t.uid ? ` (pid ${t.uid})` : ''}${t.role ? ` [${t.role}]` : ''}`).join(', ')}`,
  );
  void live.annotations.annotate(`chaos ${ctx.id} started: ${explanation.split('\n')[0]}`, [
    'faultline',
    'chaos',
    ctx.id,
  ]);
  const onStop = () => {
    if (live.stop.signal.aborted) return;
    live.end.reason = 'stop';
    record.timings.stopRequested = Date.now();
    say('stop requested: recovering everything');
    live.stop.abort();
  };
  if (o.signal?.aborted) onStop();
  else {
    o.signal?.addEventListener('abort', onStop, { once: true });
    live.stop.signal.addEventListener(
      'abort',
      () => o.signal?.removeEventListener('abort', onStop),
      { once: true },
    );
  }
  return live;
}
