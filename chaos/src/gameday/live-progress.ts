/**
 * One progress line every few seconds while load runs: phase, elapsed/remaining, each SLO's
 * current SLI and burn rate, the active faults and the alerts firing. Plain lines, no tty
 * assumptions, so a CI log reads like a terminal.
 */
import type { Slo } from '@faultline/slos/slo';
import { sliErrorRatioExpr } from '@faultline/slos/promql';
import { formatDuration } from '../experiment/duration.js';
import type { PrometheusClient } from './prometheus.js';

export interface LiveState {
  phase: string;
  phaseStart: number;
  phaseEnd: number;
  gameDayEnd: number;
  activeFaults: { name: string; fault: string; pods: string[] }[];
  alerts: string[];
  load?: { rate: number; p99: number; errorShare: number };
}

export async function liveLine(
  prom: PrometheusClient,
  slos: readonly Slo[],
  s: LiveState,
): Promise<string> {
  const now = Date.now();
  const parts = [
    `[${s.phase} ${formatDuration(Math.max(0, Math.round((now - s.phaseStart) / 1000) * 1000))}/${formatDuration(Math.round((s.phaseEnd - s.phaseStart) / 1000) * 1000)}, ${formatDuration(Math.max(0, Math.round((s.gameDayEnd - now) / 1000) * 1000))} left]`,
  ];
  const slis = await Promise.all(
    slos.map(async (slo) => {
      const r = await prom.scalar(sliErrorRatioExpr(slo, '20s')).catch(() => null);
      if (r === null) return `${slo.service}-${slo.name} n/a`;
      return `${slo.service}-${slo.name} ${((1 - r) * 100).toFixed(2)}% burn ×${(r / (1 - slo.objective)).toFixed(1)}`;
    }),
  );
  parts.push(slis.join(', '));
  if (s.load)
    parts.push(
      `load ${s.load.rate.toFixed(0)}/s p99 ${s.load.p99.toFixed(0)} ms errors ${(s.load.errorShare * 100).toFixed(1)}%`,
    );
  parts.push(
    s.activeFaults.length === 0
      ? 'no faults'
      : `faults: ${s.activeFaults.map((f) => `${f.fault} ${f.pods.join('+')}`).join(', ')}`,
  );
  if (s.alerts.length > 0) parts.push(`alerts: ${s.alerts.join(', ')}`);
  return parts.join(' | ');
}
