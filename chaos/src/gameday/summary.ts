/** The end-of-game-day summary for the terminal: verdict, per-SLO figures, faults, checkers, files. */
import { parseDuration } from '@faultline/slos/duration';
import type { Journal } from './journal.js';

const pct = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
const secs = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;

export function gameDaySummary(j: Journal, files: Record<string, string>): string {
  const lines = [`game day ${j.spec.name}: ${j.verdict.overall} (exit ${j.exitCode})`];
  for (const r of j.verdict.reasons) lines.push(`  - ${r}`);
  for (const v of j.verdicts) {
    const worst = Object.entries(v.worstBurnRate)
      .filter(([, w]) => w !== null)
      // Shortest window first: 5s, 30s, 1m … 30d, not the keys' string order.
      .sort(([a], [b]) => (parseDuration(a) ?? 0) - (parseDuration(b) ?? 0))
      .map(([w, b]) => `${w} ×${b!.value.toFixed(1)}`)
      .join(', ');
    lines.push(
      `  SLO ${v.slo}: SLI ${pct(v.sli.overall)} vs ${pct(v.objective, 1)} ${v.met === null ? '(no data)' : v.met ? 'met' : 'MISSED'}; budget ${pct(v.budget.gameDayShare, 1)} of the game day's, ${pct(v.budget.thirtyDayShare, 4)} of 30 days'; worst burn ${worst || 'n/a'}`,
    );
    for (const d of v.detection)
      lines.push(
        `    ${d.experimentId}: ${d.timeToDetectMs === null ? 'not detected (no page or ticket alert fired)' : `detected after ${secs(d.timeToDetectMs)} (${d.alert})`}`,
      );
    for (const r of v.recovery)
      lines.push(
        `    ${r.experimentId}: recovered ${r.fromFaultEndMs === null ? 'not within the game day' : `${secs(r.fromFaultEndMs)} after the fault ended (${secs(r.fromFaultStartMs)} after it started)`}`,
      );
  }
  for (const f of j.faults)
    lines.push(
      `  fault ${f.name} (${f.faultType} on ${f.targets.join(', ') || 'nothing'}): ${f.observed.status}; engine ${f.enginePhase}`,
    );
  for (const c of j.checkers)
    lines.push(`  checker ${c.name}: ${c.status.toUpperCase()} — ${c.summary}`);
  for (const f of j.findings.slice(0, 10)) lines.push(`  finding (${f.kind}): ${f.message}`);
  if (j.findings.length > 10)
    lines.push(`  … ${j.findings.length - 10} more findings in the journal`);
  lines.push(
    `  requests: ${j.load.requests.scheduled} scheduled, ${j.load.requests.ok} ok, ${j.load.requests.error} error, ${j.load.requests.unknown} unknown, ${j.load.requests.dropped} dropped`,
  );
  for (const [k, p] of Object.entries(files)) lines.push(`  ${k.padEnd(8)} ${p}`);
  lines.push(`  history  ${j.historyFile}`);
  return lines.join('\n');
}
