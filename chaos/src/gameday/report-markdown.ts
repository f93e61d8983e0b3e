/**
 * `report.md`: the game day for people, verdict first (what a reviewer reads in a pull request
 * or a chat message), then per SLO, per fault, per checker with its witness, and the timings.
 * Times are offsets from the game day's start (`+mm:ss.s`); the start itself is printed once.
 */
import type { CheckerResult, FaultWindow, Journal, SloVerdict } from './journal.js';
import {
  alertSlo,
  duration,
  faultSpan,
  isoTime,
  num,
  offset,
  percent,
  traceApiLink,
  traceLink,
  byWindowLength,
  requestsByPhase,
} from './report-format.js';

/** A table cell: pipes escaped and line breaks folded, so one value never breaks the table. */
function cell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['_none_', ''];
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ];
}

/** Inline code that survives backticks in the value. */
function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value}${fence}`;
}

function metLabel(met: boolean | null): string {
  return met === null ? 'NO DATA' : met ? 'met' : 'MISSED';
}

function verdictSection(j: Journal): string[] {
  const lines = [`# Game day ${code(j.spec.name)}: **${j.verdict.overall}**`, ''];
  for (const reason of j.verdict.reasons) lines.push(`- ${reason}`);
  if (j.verdict.reasons.length) lines.push('');
  if (j.abort)
    lines.push(
      `**Aborted** at ${offset(j, j.abort.at)} by ${j.abort.trigger}: ${j.abort.reason}`,
      '',
    );
  if (j.verdict.harnessErrors.length) {
    lines.push('**Harness errors** (the tool failed, not the hypothesis):', '');
    for (const e of j.verdict.harnessErrors) lines.push(`- ${e}`);
    lines.push('');
  }
  lines.push(
    `Exit code ${j.exitCode}. ${code(j.spec.file)} on ${j.platform}, started ${isoTime(j.startedAt)}, ` +
      `took ${duration(j.endedAt - j.startedAt)}` +
      (j.spec.phaseScale !== 1 ? ` (phases scaled ×${j.spec.phaseScale})` : '') +
      '.',
    '',
    `> ${j.spec.hypothesis.statement}`,
    '',
  );
  if (j.spec.negativeControl || j.spec.overrides.length)
    lines.push(
      `Negative control: ${j.spec.negativeControl ? 'yes' : 'no'}; overrides: ${j.spec.overrides.map(code).join(', ') || 'none'}.`,
      '',
    );
  return lines;
}

function faultName(j: Journal, experimentId: string): string {
  return j.faults.find((f) => f.experimentId === experimentId)?.name ?? experimentId;
}

function sloSection(j: Journal): string[] {
  const lines = ['## SLOs', ''];
  lines.push(
    ...table(
      [
        'SLO',
        'objective',
        'result',
        'SLI',
        'baseline',
        'chaos',
        'recovery',
        'budget (game day)',
        'budget (30 d)',
        'events bad/total',
      ],
      j.verdicts.map((v) => [
        v.slo,
        percent(v.objective),
        metLabel(v.met),
        percent(v.sli.overall),
        percent(v.sli.byPhase.baseline),
        percent(v.sli.byPhase.chaos),
        percent(v.sli.byPhase.recovery),
        percent(v.budget.gameDayShare, 1),
        percent(v.budget.thirtyDayShare, 4),
        `${v.events.bad}/${v.events.total}`,
      ]),
    ),
  );
  for (const v of j.verdicts) lines.push(...sloDetail(j, v));
  return lines;
}

function sloDetail(j: Journal, v: SloVerdict): string[] {
  const lines = [`### ${v.slo}`, ''];
  const worst = byWindowLength(Object.entries(v.worstBurnRate)).map(
    ([w, b]) => `${w}: ${b ? `${num(b.value)}× at ${offset(j, b.at)}` : 'no data'}`,
  );
  lines.push(`Worst burn rate: ${worst.join('; ') || 'no data'}.`, '');
  const recovery = new Map(v.recovery.map((r) => [r.experimentId, r]));
  lines.push(
    ...table(
      ['fault', 'detected by', 'time to detect', 'recovered', 'from fault end', 'from fault start'],
      v.detection.map((d) => {
        const r = recovery.get(d.experimentId);
        return [
          faultName(j, d.experimentId),
          d.alert ?? '**not detected**',
          duration(d.timeToDetectMs),
          r?.recoveredAt !== undefined ? offset(j, r.recoveredAt) : '**not recovered**',
          duration(r?.fromFaultEndMs),
          duration(r?.fromFaultStartMs),
        ];
      }),
    ),
  );
  return lines;
}

function faultSection(j: Journal): string[] {
  const lines = ['## Faults', ''];
  lines.push(
    ...table(
      [
        'fault',
        'type',
        'targets',
        'applied',
        'length',
        'engine',
        'observed',
        'client errors (baseline)',
        'client p99 (baseline)',
      ],
      j.faults.map((f) => [
        f.name,
        f.faultType,
        f.targets.join(', ') || 'none',
        f.startedAt !== undefined ? offset(j, f.startedAt) : 'never',
        faultSpan(f),
        f.enginePhase,
        f.observed.status,
        `${percent(f.observed.client?.errorShare)} (${percent(f.observed.client?.baselineErrorShare)})`,
        `${duration(f.observed.client?.p99Ms)} (${duration(f.observed.client?.baselineP99Ms)})`,
      ]),
    ),
  );
  for (const f of j.faults) lines.push(...faultDetail(j, f));
  return lines;
}

function faultDetail(j: Journal, f: FaultWindow): string[] {
  const lines = [`### ${f.name} (${code(f.experimentId)})`, '', `Requested: ${f.requested}.`, ''];
  if (f.engineMessage) lines.push(`Engine: ${f.engineMessage}`, '');
  for (const e of f.observed.evidence) lines.push(`- ${e}`);
  for (const v of f.verification)
    lines.push(`- verification ${v.pod}: ${v.outcome} — ${v.observed}`);
  lines.push('');
  const traces = j.traces.find((t) => t.experimentId === f.experimentId)?.traces ?? [];
  if (traces.length) {
    lines.push('Slowest traces:', '');
    lines.push(
      ...table(
        ['trace id', 'duration', 'at', 'root span', 'spans', 'error'],
        traces.map((t) => {
          const link = traceLink(j, t);
          const api = traceApiLink(j, t);
          return [
            link
              ? `[${t.traceId}](${link})`
              : `${code(t.traceId)}${api ? ` ([JSON](${api}))` : ''}`,
            duration(t.durationMs),
            offset(j, t.startedAt),
            `${t.rootSpan.service}: ${t.rootSpan.name}`,
            String(t.spanCount),
            t.hasError ? 'yes' : 'no',
          ];
        }),
      ),
    );
  }
  return lines;
}

function checkerSection(j: Journal): string[] {
  const lines = ['## Checkers', ''];
  lines.push(
    ...table(
      ['checker', 'result', 'checked', 'unknown outcome', 'summary'],
      j.checkers.map((c) => [
        c.name,
        c.status === 'pass' ? 'pass' : `**${c.status.toUpperCase()}**`,
        String(c.checked),
        String(c.unknownOperations),
        c.summary,
      ]),
    ),
  );
  for (const c of j.checkers) lines.push(...checkerDetail(j, c));
  return lines;
}

function checkerDetail(j: Journal, c: CheckerResult): string[] {
  if (!c.witness && !c.error) return [];
  const lines = [`### ${c.name}: ${c.status}`, ''];
  if (c.error) lines.push(`The checker could not run: ${c.error}`, '');
  if (c.witness) {
    lines.push(`**Witness:** ${c.witness.description}`, '');
    lines.push(
      ...table(
        ['at', 'subject', 'detail', 'fields'],
        c.witness.events.map((e) => [
          offset(j, e.at),
          e.subject,
          e.detail,
          Object.entries(e.fields ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', '),
        ]),
      ),
    );
  }
  return lines;
}

function findingsSection(j: Journal): string[] {
  if (j.findings.length === 0) return [];
  return [
    '## Findings',
    '',
    ...j.findings.map(
      (f) =>
        `- **${f.kind}**${f.at !== undefined ? ` at ${offset(j, f.at)}` : ''}` +
        `${f.experimentId ? ` (${faultName(j, f.experimentId)})` : ''}: ${f.message}`,
    ),
    '',
  ];
}

function alertsSection(j: Journal): string[] {
  return [
    '## Alerts',
    '',
    ...table(
      ['alert', 'severity', 'SLO', 'firing', 'during faults'],
      j.alerts.map((a) => [
        a.name,
        a.severity ?? '',
        alertSlo(a),
        a.firing
          .map((f) => `${offset(j, f.start)}–${f.end !== undefined ? offset(j, f.end) : 'end'}`)
          .join(', '),
        a.duringFaults.map((id) => faultName(j, id)).join(', ') || '**none**',
      ]),
    ),
  ];
}

function timingSection(j: Journal): string[] {
  const lines = ['## Timings', ''];
  lines.push(
    ...table(
      ['phase', 'start', 'length', 'planned', 'note'],
      j.phases.map((p) => [
        p.name,
        offset(j, p.startedAt),
        p.endedAt !== undefined ? duration(p.endedAt - p.startedAt) : 'running',
        p.plannedMs !== undefined ? duration(p.plannedMs) : '',
        p.cutShort ? `cut short: ${p.cutShort}` : '',
      ]),
    ),
  );
  const r = j.load.requests;
  lines.push(
    `Load: ${code(j.load.scenario)} at ${j.load.rate} req/s (${j.load.runner}) against ${j.load.target}; ` +
      `${r.scheduled} scheduled, ${r.ok} ok, ${r.error} errors, ${r.unknown} unknown outcome, ${r.dropped} dropped. ` +
      `History: ${code(j.historyFile)}.`,
    '',
  );
  const byPhase = requestsByPhase(j);
  if (byPhase.length)
    lines.push(
      `Requests sent per phase: ${byPhase
        .map((p) => (p.requests > 0 ? `${p.phase} ${p.requests}` : `**${p.phase} none**`))
        .join(', ')}.`,
      '',
    );
  lines.push('Preflight and steady state:', '');
  lines.push(
    ...table(
      ['check', 'when', 'result', 'detail'],
      [
        ...j.preflight.map((p) => [p.name, 'preflight', p.ok ? 'ok' : '**FAILED**', p.detail]),
        ...j.steadyState.map((s) => [
          `${s.name} (${code(s.query)} ${s.tolerance})`,
          s.when,
          s.ok ? 'ok' : '**FAILED**',
          s.detail,
        ]),
      ],
    ),
  );
  return lines;
}

/** Renders the Markdown report of a journal. */
export function renderMarkdown(journal: Journal): string {
  return [
    ...verdictSection(journal),
    ...sloSection(journal),
    ...faultSection(journal),
    ...checkerSection(journal),
    ...findingsSection(journal),
    ...alertsSection(journal),
    ...timingSection(journal),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()
    .concat('\n');
}
