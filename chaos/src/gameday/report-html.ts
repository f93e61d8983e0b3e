/**
 * `report.html`: one self-contained page (inline CSS, SVG and a few lines of script; no network,
 * no CDN) that shows the game day over time — SLIs, error rate and p99 with fault windows shaded
 * and alerts marked, burn rates and budget, the leader/term timeline — then the checkers'
 * witnesses and the slowest traces of each fault window, linked to Jaeger when it has a UI.
 */
import type { FaultWindow, Journal } from './journal.js';
import { REPORT_CSS, REPORT_JS } from './report-html-assets.js';
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
import { esc, laneChartSvg, lineChartSvg } from './report-svg.js';
import type { Lane, Overlay, Series, TimeAxis } from './report-svg.js';

const PALETTE = ['#2f6fdb', '#c2185b', '#00897b', '#6d4c41', '#7b1fa2', '#ef6c00'];
const color = (i: number) => PALETTE[i % PALETTE.length] ?? '#333';

function badge(kind: string, text = kind): string {
  return `<span class="badge s-${esc(kind.toLowerCase().replace(/\s+/g, ''))}">${esc(text)}</span>`;
}

function tableHtml(header: string[], rows: string[][], numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function overlayOf(j: Journal): Overlay {
  return {
    bands: j.faults
      .filter((f) => f.startedAt !== undefined)
      .map((f) => ({
        from: f.startedAt ?? j.startedAt,
        to: f.endedAt ?? j.endedAt,
        label: `${f.name} (${f.faultType} on ${f.targets.join(', ')})`,
      })),
    phases: j.phases.map((p) => ({ at: p.startedAt, label: p.name })),
    alerts: j.alerts.flatMap((a) =>
      a.firing.map((f) => ({
        from: f.start,
        to: f.end ?? j.endedAt,
        severity: a.severity ?? 'page',
        label: `${a.name} ${alertSlo(a)} (${a.severity ?? 'alert'}) ${offset(j, f.start)}–${f.end !== undefined ? offset(j, f.end) : 'end'}`,
      })),
    ),
  };
}

function sloSeries(
  j: Journal,
  pick: (s: Journal['timeline']['slo'][number]) => number | null,
): Series[] {
  return j.slos.map((slo, i) => ({
    name: slo.id,
    color: color(i),
    // Samples name their SLO by Sloth id (`<service>-<name>`, the rules' label) or by name.
    points: j.timeline.slo
      .filter((s) => s.slo === slo.id || s.slo === slo.name)
      .map((s) => [s.at, pick(s)]),
  }));
}

/** The burn-rate window drawn over time: the shortest one the samples carry (reacts fastest). */
function burnWindow(j: Journal): string | undefined {
  const windows = new Set(j.timeline.slo.flatMap((s) => Object.keys(s.burnRate)));
  return byWindowLength([...windows].map((w) => [w, w]))[0]?.[0];
}

function chartsSection(j: Journal, axis: TimeAxis, overlay: Overlay): string {
  const window = burnWindow(j);
  const charts = [
    lineChartSvg(axis, overlay, {
      id: 'chart-sli',
      title: 'SLI (share of good events per step), objectives dotted',
      series: sloSeries(j, (s) => s.sli),
      format: (v) => percent(v, 2),
      yMax: 1,
      references: j.slos.map((s) => ({
        value: s.objective,
        label: `${s.id} ${percent(s.objective)}`,
      })),
    }),
    lineChartSvg(axis, overlay, {
      id: 'chart-errors',
      title: 'Error rate: client (errors + unknown outcome) and per SLO',
      series: [
        {
          name: 'client',
          color: '#333',
          points: j.timeline.client.map((c) => [c.at, c.errorShare]),
        },
        ...sloSeries(j, (s) => s.errorRatio).map((s, i) => ({ ...s, color: color(i) })),
      ],
      format: (v) => percent(v, 2),
      yMin: 0,
      minSpan: 0.01,
    }),
    lineChartSvg(axis, overlay, {
      id: 'chart-p99',
      title: 'Client p99 latency of answered requests',
      series: [
        { name: 'p99', color: '#2f6fdb', points: j.timeline.client.map((c) => [c.at, c.p99Ms]) },
      ],
      format: (v) => duration(v),
      yMin: 0,
    }),
    lineChartSvg(axis, overlay, {
      id: 'chart-burn',
      title: `Burn rate over ${window ?? 'no window'} (1× spends the budget exactly over the SLO window)`,
      series: window ? sloSeries(j, (s) => s.burnRate[window] ?? null) : [],
      format: (v) => `${num(v, 1)}×`,
      yMin: 0,
      references: [{ value: 1, label: '1×' }],
    }),
  ];
  return `<h2>Over time</h2><p class="muted">Time from the start (${esc(isoTime(j.startedAt))}); fault windows shaded orange; alerts marked along the bottom (red: page, amber: ticket); phases dashed. Step ${duration(j.timeline.stepMs)}.</p>${charts.join('')}`;
}

function leadershipLanes(j: Journal): Lane[] {
  const { samples, terms } = j.leadership;
  const step = j.timeline.stepMs || 1000;
  const leaders = [...new Set(terms.map((t) => t.leader))].sort();
  const lanes: Lane[] = leaders.map((leader) => ({
    name: leader,
    segments: terms
      .filter((t) => t.leader === leader)
      .map((t) => ({
        from: t.firstSeen,
        to: t.lastSeen + step,
        label: `term ${t.term}: ${leader} ${offset(j, t.firstSeen)}–${offset(j, t.lastSeen)}`,
        tone: t.term % 2 ? 'alt' : 'main',
      })),
  }));
  const leaderless = samples.filter((s) => s.leader === null);
  if (leaderless.length)
    lanes.push({
      name: 'no leader',
      segments: leaderless.map((s) => ({
        from: s.at,
        to: s.at + step,
        label: `no leader at ${offset(j, s.at)}`,
        tone: 'none',
      })),
    });
  return lanes;
}

function faultLanes(j: Journal): Lane[] {
  return j.faults.map((f) => ({
    name: f.name.length > 15 ? `${f.name.slice(0, 14)}…` : f.name,
    segments:
      f.startedAt === undefined
        ? []
        : [
            {
              from: f.startedAt,
              to: f.endedAt ?? j.endedAt,
              label: `${f.faultType}: ${f.targets.join(', ')} ${faultSpan(f)}`,
              tone: 'fault',
            },
          ],
  }));
}

function timelineSection(j: Journal, axis: TimeAxis, overlay: Overlay): string {
  const parts = ['<h2>Faults and leadership</h2>'];
  parts.push(laneChartSvg(axis, overlay, 'chart-faults', 'Fault windows', faultLanes(j)));
  if (j.leadership.samples.length || j.leadership.terms.length)
    parts.push(
      laneChartSvg(axis, overlay, 'chart-leadership', 'Leader per term', leadershipLanes(j)),
    );
  else parts.push('<p class="muted">No leadership samples: this game day has no scheduler.</p>');
  return parts.join('');
}

function budgetBar(shareValue: number | null): string {
  if (shareValue === null) return '<span class="muted">no data</span>';
  const width = Math.min(100, Math.max(0, shareValue * 100));
  return `<div class="bar" title="${esc(percent(shareValue, 2))}"><span${shareValue > 1 ? ' class="over"' : ''} style="width:${width.toFixed(1)}%"></span></div>`;
}

function sloSection(j: Journal): string {
  const rows = j.verdicts.map((v) => [
    esc(v.slo),
    percent(v.objective),
    badge(
      v.met === null ? 'nodata' : v.met ? 'met' : 'missed',
      v.met === null ? 'no data' : v.met ? 'met' : 'MISSED',
    ),
    percent(v.sli.overall),
    ['baseline', 'chaos', 'recovery']
      .map((p) => `${p} ${percent(v.sli.byPhase[p as 'chaos'])}`)
      .join('<br>'),
    `${budgetBar(v.budget.gameDayShare)}${percent(v.budget.gameDayShare, 1)} of the game day's`,
    percent(v.budget.thirtyDayShare, 4),
    byWindowLength(Object.entries(v.worstBurnRate))
      .map(([w, b]) => `${esc(w)}: ${b ? `${num(b.value)}× at ${offset(j, b.at)}` : 'no data'}`)
      .join('<br>'),
  ]);
  const detection = j.verdicts.flatMap((v) =>
    v.detection.map((d) => {
      const r = v.recovery.find((x) => x.experimentId === d.experimentId);
      return [
        esc(v.slo),
        esc(j.faults.find((f) => f.experimentId === d.experimentId)?.name ?? d.experimentId),
        d.alert ? esc(d.alert) : badge('fail', 'not detected'),
        duration(d.timeToDetectMs),
        r?.recoveredAt !== undefined ? offset(j, r.recoveredAt) : badge('fail', 'not recovered'),
        duration(r?.fromFaultEndMs),
        duration(r?.fromFaultStartMs),
      ];
    }),
  );
  return (
    '<h2>SLOs and error budget</h2>' +
    tableHtml(
      [
        'SLO',
        'objective',
        'result',
        'SLI',
        'by phase',
        'budget burned',
        '30-day budget',
        'worst burn',
      ],
      rows,
    ) +
    '<h3>Time to detect and to recover</h3>' +
    tableHtml(
      [
        'SLO',
        'fault',
        'detected by',
        'time to detect',
        'recovered at',
        'from fault end',
        'from fault start',
      ],
      detection,
    )
  );
}

function faultRow(j: Journal, f: FaultWindow): string[] {
  const c = f.observed.client;
  return [
    `${esc(f.name)}<br><code>${esc(f.experimentId)}</code>`,
    esc(f.faultType),
    esc(f.requested),
    esc(f.targets.join(', ') || 'none'),
    f.startedAt !== undefined ? offset(j, f.startedAt) : 'never',
    faultSpan(f),
    esc(f.enginePhase),
    badge(f.observed.status),
    [...f.observed.evidence, ...f.verification.map((v) => `${v.pod}: ${v.outcome} (${v.observed})`)]
      .map(esc)
      .join('<br>') +
      (c
        ? `<br><span class="muted">client errors ${percent(c.errorShare)} (baseline ${percent(c.baselineErrorShare)}), p99 ${duration(c.p99Ms)} (baseline ${duration(c.baselineP99Ms)})</span>`
        : ''),
  ];
}

function checkersSection(j: Journal): string {
  const parts = ['<h2>Checkers</h2>'];
  parts.push(
    tableHtml(
      ['checker', 'result', 'checked', 'unknown outcome', 'summary'],
      j.checkers.map((c) => [
        esc(c.name),
        badge(c.status),
        String(c.checked),
        String(c.unknownOperations),
        esc(c.summary),
      ]),
      [2, 3],
    ),
  );
  for (const c of j.checkers) {
    if (c.error) parts.push(`<p><b>${esc(c.name)}</b> could not run: ${esc(c.error)}</p>`);
    if (!c.witness) continue;
    parts.push(
      `<div class="witness" data-checker="${esc(c.name)}"><b>${esc(c.name)} witness:</b> ${esc(c.witness.description)}` +
        tableHtml(
          ['at', 'subject', 'detail', 'fields'],
          c.witness.events.map((e) => [
            offset(j, e.at),
            esc(e.subject),
            esc(e.detail),
            `<span class="mono">${esc(
              Object.entries(e.fields ?? {})
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' '),
            )}</span>`,
          ]),
        ) +
        '</div>',
    );
  }
  return parts.join('');
}

function tracesSection(j: Journal): string {
  const parts = ['<h2>Slowest traces per fault window</h2>'];
  if (j.traces.every((t) => t.traces.length === 0))
    parts.push(
      '<p class="muted">No traces: no trace backend was reachable during this game day.</p>',
    );
  for (const group of j.traces) {
    if (group.traces.length === 0) continue;
    const fault = j.faults.find((f) => f.experimentId === group.experimentId);
    parts.push(`<h3>${esc(fault?.name ?? group.experimentId)}</h3>`);
    parts.push(
      tableHtml(
        ['trace id', 'duration', 'at', 'root span', 'spans', 'error'],
        group.traces.map((t) => {
          const link = traceLink(j, t);
          const api = traceApiLink(j, t);
          const id = `<code>${esc(t.traceId)}</code>`;
          return [
            link
              ? `<a class="trace" href="${esc(link)}">${id}</a>`
              : `${id}${api ? ` <a class="trace-json" href="${esc(api)}">JSON</a>` : ''}`,
            duration(t.durationMs),
            offset(j, t.startedAt),
            `${esc(t.rootSpan.service)}: ${esc(t.rootSpan.name)}`,
            String(t.spanCount),
            t.hasError ? badge('fail', 'error') : '',
          ];
        }),
        [1, 4],
      ),
    );
  }
  return parts.join('');
}

function headerSection(j: Journal): string {
  const reasons = j.verdict.reasons.map((r) => `<li>${esc(r)}</li>`).join('');
  const harness = j.verdict.harnessErrors.length
    ? `<p><b>Harness errors</b> (the tool failed, not the hypothesis):</p><ul>${j.verdict.harnessErrors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`
    : '';
  const abort = j.abort
    ? `<p><b>Aborted</b> at ${offset(j, j.abort.at)} by ${esc(j.abort.trigger)}: ${esc(j.abort.reason)}</p>`
    : '';
  const r = j.load.requests;
  return (
    `<h1><span class="verdict v-${esc(j.verdict.overall)}" id="verdict">${esc(j.verdict.overall)}</span> Game day <code>${esc(j.spec.name)}</code></h1>` +
    `<ul>${reasons}</ul>${abort}${harness}<blockquote>${esc(j.spec.hypothesis.statement)}</blockquote>` +
    tableHtml(
      ['file', 'platform', 'started', 'took', 'load', 'requests', 'exit code'],
      [
        [
          `<code>${esc(j.spec.file)}</code>${j.spec.phaseScale !== 1 ? ` (phases ×${j.spec.phaseScale})` : ''}${j.spec.negativeControl ? '<br>negative control' : ''}${j.spec.overrides.map((o) => `<br><code>${esc(o)}</code>`).join('')}`,
          esc(j.platform),
          esc(isoTime(j.startedAt)),
          duration(j.endedAt - j.startedAt),
          `${esc(j.load.scenario)} at ${j.load.rate} req/s (${esc(j.load.runner)})`,
          `${r.scheduled} scheduled, ${r.ok} ok, ${r.error} errors, ${r.unknown} unknown, ${r.dropped} dropped<br>` +
            requestsByPhase(j)
              .map((p) =>
                p.requests > 0
                  ? `${p.phase} ${p.requests}`
                  : badge('fail', `${p.phase}: none sent`),
              )
              .join(', '),
          String(j.exitCode),
        ],
      ],
    )
  );
}

function detailsSection(j: Journal): string {
  const findings = j.findings.map((f) => [
    esc(f.kind),
    f.at !== undefined ? offset(j, f.at) : '',
    esc(f.experimentId ?? ''),
    esc(f.message),
  ]);
  const alerts = j.alerts.map((a) => [
    esc(a.name),
    esc(a.severity ?? ''),
    esc(alertSlo(a)),
    a.firing
      .map((f) => `${offset(j, f.start)}–${f.end !== undefined ? offset(j, f.end) : 'end'}`)
      .join('<br>'),
    a.duringFaults.length ? esc(a.duringFaults.join(', ')) : badge('fail', 'no fault active'),
  ]);
  const phases = j.phases.map((p) => [
    esc(p.name),
    offset(j, p.startedAt),
    p.endedAt !== undefined ? duration(p.endedAt - p.startedAt) : 'running',
    p.plannedMs !== undefined ? duration(p.plannedMs) : '',
    esc(p.cutShort ?? ''),
  ]);
  const checks = [
    ...j.preflight.map((p) => [
      esc(p.name),
      'preflight',
      badge(p.ok ? 'pass' : 'fail', p.ok ? 'ok' : 'failed'),
      esc(p.detail),
    ]),
    ...j.steadyState.map((s) => [
      `${esc(s.name)} <code>${esc(s.query)} ${esc(s.tolerance)}</code>`,
      esc(s.when),
      badge(s.ok ? 'pass' : 'fail', s.ok ? 'ok' : 'failed'),
      esc(s.detail),
    ]),
  ];
  const links = Object.entries(j.links)
    .filter(([, url]) => url)
    .map(([name, url]) => `${esc(name)}: <code>${esc(url ?? '')}</code>`)
    .join(' · ');
  return (
    '<h2>Findings</h2>' +
    tableHtml(['kind', 'at', 'fault', 'message'], findings) +
    '<h2>Alerts</h2>' +
    tableHtml(['alert', 'severity', 'SLO', 'firing', 'during faults'], alerts) +
    '<h2>Timings</h2>' +
    tableHtml(['phase', 'start', 'length', 'planned', 'cut short'], phases) +
    tableHtml(['check', 'when', 'result', 'detail'], checks) +
    `<footer>History: <code>${esc(j.historyFile)}</code> · journal: <code>journal.json</code> in <code>${esc(j.outDir)}</code>${links ? ` · ${links}` : ''}</footer>`
  );
}

/** Renders the self-contained HTML report of a journal. */
export function renderHtml(journal: Journal): string {
  const axis: TimeAxis = {
    from: journal.startedAt,
    to: journal.endedAt,
    origin: journal.startedAt,
  };
  const overlay = overlayOf(journal);
  // A broken safety property is the headline: its witness goes right under the verdict.
  const failed = journal.checkers.some((c) => c.status === 'fail');
  const body = [
    headerSection(journal),
    failed ? checkersSection(journal) : '',
    chartsSection(journal, axis, overlay),
    sloSection(journal),
    timelineSection(journal, axis, overlay),
    '<h2>Faults: requested and observed</h2>',
    tableHtml(
      [
        'fault',
        'type',
        'requested',
        'targets',
        'applied',
        'length',
        'engine',
        'observed',
        'evidence',
      ],
      journal.faults.map((f) => faultRow(journal, f)),
    ),
    failed ? '' : checkersSection(journal),
    tracesSection(journal),
    detailsSection(journal),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(`${journal.verdict.overall} · game day ${journal.spec.name}`)}</title>
<style>${REPORT_CSS}</style></head>
<body>
${body}
<script>${REPORT_JS}</script>
</body></html>
`;
}
