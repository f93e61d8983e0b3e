/**
 * report.html in headless Chromium (Debian's, via playwright-core): it renders, every chart
 * carries the journal's data (counted as SVG path vertices), the witness and the trace ids are
 * on the page, nothing logs an error, and the page asks the network for nothing. A screenshot
 * of each rendered fixture is kept in .state/artifacts/gameday-report/ (not committed).
 * The chart check is shown to fail on a journal whose series are empty.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { Journal } from '../src/gameday/journal.js';
import { parseJournal } from '../src/gameday/journal-schema.js';
import { byWindowLength } from '../src/gameday/report-format.js';
import { writeReports } from '../src/gameday/reports.js';
import { syntheticJournal } from '../src/gameday/report-synthetic-journal.js';
import { launchChromium, openWatched } from './gameday-report-browser.js';
import type { ReportBrowser } from './gameday-report-browser.js';
import { abortedJournal, failJournal, passJournal } from './fixtures/gameday/journals.js';

const ARTIFACTS = fileURLToPath(
  new URL('../../../.state/artifacts/gameday-report/', import.meta.url),
);

let browser: ReportBrowser;
let dir: string;
before(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'faultline-report-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

interface ChartData {
  id: string;
  series: number;
  /** Vertices drawn (M and L commands over every series path). */
  vertices: number;
  /** Sum of the series' data-points attributes (non-null samples). */
  points: number;
  segments: number;
  noData: boolean;
}

/** Runs in the page (a string: the tests compile without the DOM library). */
const CHART_DATA_SCRIPT = `[...document.querySelectorAll('svg.chart')].map((svg) => {
  const paths = [...svg.querySelectorAll('path.series')];
  return {
    id: svg.id,
    series: paths.length,
    vertices: paths.reduce((n, p) => n + ((p.getAttribute('d') || '').match(/[ML]/g) || []).length, 0),
    points: paths.reduce((n, p) => n + Number(p.getAttribute('data-points') || 0), 0),
    segments: svg.querySelectorAll('.segment rect').length,
    noData: svg.querySelector('.no-data') !== null,
  };
})`;

async function chartData(page: Page): Promise<ChartData[]> {
  return page.evaluate<ChartData[]>(CHART_DATA_SCRIPT);
}

/** What a chart misses compared with its journal: empty list = every chart has its data. */
function chartProblems(journal: Journal, charts: ChartData[]): string[] {
  const problems: string[] = [];
  const byId = new Map(charts.map((c) => [c.id, c]));
  const nonNull = (values: (number | null)[]) => values.filter((v) => v !== null).length;
  const windows = new Set(journal.timeline.slo.flatMap((s) => Object.keys(s.burnRate)));
  const burn = byWindowLength([...windows].map((w) => [w, w]))[0]?.[0];
  const expected: Record<string, { vertices: number; segments?: number }> = {
    'chart-sli': { vertices: nonNull(journal.timeline.slo.map((s) => s.sli)) },
    'chart-errors': {
      vertices:
        nonNull(journal.timeline.client.map((c) => c.errorShare)) +
        nonNull(journal.timeline.slo.map((s) => s.errorRatio)),
    },
    'chart-p99': { vertices: nonNull(journal.timeline.client.map((c) => c.p99Ms)) },
    'chart-burn': {
      vertices: nonNull(
        journal.timeline.slo.map((s) => (burn ? (s.burnRate[burn] ?? null) : null)),
      ),
    },
    'chart-faults': { vertices: 0, segments: journal.faults.filter((f) => f.startedAt).length },
    'chart-leadership': {
      vertices: 0,
      segments:
        journal.leadership.terms.length +
        journal.leadership.samples.filter((s) => !s.leader).length,
    },
  };
  for (const [id, want] of Object.entries(expected)) {
    const got = byId.get(id);
    if (!got) problems.push(`${id}: missing`);
    else if (got.noData) problems.push(`${id}: says no data`);
    else if (want.vertices === 0 && (want.segments ?? 0) === 0)
      problems.push(`${id}: the journal has nothing for it`);
    else {
      if (got.vertices !== want.vertices || got.points !== want.vertices)
        problems.push(
          `${id}: ${got.vertices} vertices / ${got.points} points drawn, journal has ${want.vertices}`,
        );
      if (want.segments !== undefined && got.segments !== want.segments)
        problems.push(`${id}: ${got.segments} segments drawn, journal has ${want.segments}`);
    }
  }
  return problems;
}

async function render(name: string, journal: Journal) {
  const paths = await writeReports(journal, join(dir, name));
  const watch = await openWatched(browser, pathToFileURL(paths.html).href);
  await watch.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  return { paths, watch, charts: await chartData(watch.page) };
}

test('report.html renders the PASS journal with data in every chart, offline, without errors', async () => {
  const journal = passJournal();
  const { watch, charts } = await render('pass', journal);
  assert.deepEqual(chartProblems(journal, charts), []);
  assert.equal(await watch.page.locator('#verdict').textContent(), 'PASS');
  assert.ok(
    charts.find((c) => c.id === 'chart-sli')!.vertices > 50,
    'the SLI chart has a real series',
  );
  // Fault windows shaded and alerts marked on every time chart.
  const shaded = await watch.page.locator('#chart-sli rect.fault-window').count();
  assert.equal(shaded, journal.faults.length);
  const alertMarks = await watch.page.locator('#chart-sli g.alert').count();
  assert.equal(
    alertMarks,
    journal.alerts.reduce((n, a) => n + a.firing.length, 0),
  );
  for (const t of journal.traces.flatMap((g) => g.traces))
    assert.equal(await watch.page.getByText(t.traceId, { exact: true }).count(), 1, t.traceId);
  // The hover cursor works (the page script ran).
  const p99 = watch.page.locator('#chart-p99');
  const box = await p99.boundingBox();
  assert.ok(box);
  await p99.hover({ position: { x: box.width / 2, y: box.height / 2 } });
  assert.match(
    (await watch.page.locator('#chart-p99 .cursor-label').textContent()) ?? '',
    /^\d+:\d\d$/,
  );
  assert.deepEqual(watch.consoleErrors, []);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.requests, []);
  await watch.page.close();
});

test('report.html shows the double-booking witness and links traces to Jaeger when it has a UI', async () => {
  const journal = failJournal();
  journal.links.jaegerUi = 'http://127.0.0.1:16686';
  const { watch, charts } = await render('fail', journal);
  assert.deepEqual(chartProblems(journal, charts), []);
  assert.equal(await watch.page.locator('#verdict').textContent(), 'FAIL');
  const witness = watch.page.locator('.witness[data-checker="booking-ledger"]');
  assert.match(
    (await witness.textContent()) ?? '',
    /seat gala-7: bookings b1 \(token 7\) and b2 \(token 8\) both active/,
  );
  assert.equal(await witness.locator('tbody tr').count(), 2);
  const [witnessBox, chartBox] = await Promise.all([
    witness.boundingBox(),
    watch.page.locator('#chart-sli').boundingBox(),
  ]);
  assert.ok(witnessBox && chartBox && witnessBox.y < chartBox.y, 'the witness is above the charts');
  assert.match(
    (await witness.textContent()) ?? '',
    /from booking-2 & <kept>/,
    'escaped, not parsed as markup',
  );
  const first = journal.traces[0]?.traces[0];
  assert.ok(first);
  assert.equal(
    await watch.page.locator(`a.trace:has-text("${first.traceId}")`).getAttribute('href'),
    `http://127.0.0.1:16686/trace/${first.traceId}`,
  );
  assert.deepEqual([...watch.consoleErrors, ...watch.pageErrors, ...watch.requests], []);
  await watch.page.close();
});

test('an aborted game day renders with its abort, the chaos phase cut short, traces as JSON links', async () => {
  const journal = abortedJournal();
  journal.links.jaeger = 'http://127.0.0.1:16685'; // a query API with no UI, as locally
  const { watch, charts } = await render('aborted', journal);
  const first = journal.traces[0]?.traces[0];
  assert.ok(first);
  assert.equal(await watch.page.locator('a.trace').count(), 0, 'no UI, no UI links');
  assert.equal(
    await watch.page.locator('a.trace-json').first().getAttribute('href'),
    `http://127.0.0.1:16685/api/traces/${first.traceId}`,
  );
  assert.deepEqual(chartProblems(journal, charts), []);
  assert.equal(await watch.page.locator('#verdict').textContent(), 'ABORTED');
  assert.match(
    (await watch.page.locator('body').textContent()) ?? '',
    /Aborted at \+\d\d:\d\d\.\d by alert/,
  );
  assert.deepEqual([...watch.consoleErrors, ...watch.pageErrors, ...watch.requests], []);
  await watch.page.close();
});

test('a real journal (booking-under-chaos on the local platform, phases x0.2) renders its data', async () => {
  const file = fileURLToPath(
    new URL('../../test/fixtures/gameday/real-booking-under-chaos.journal.json', import.meta.url),
  );
  const journal = parseJournal(await readFile(file, 'utf8'), file);
  const { watch, charts } = await render('real', journal);
  assert.deepEqual(chartProblems(journal, charts), []);
  assert.equal(await watch.page.locator('#verdict').textContent(), journal.verdict.overall);
  assert.deepEqual([...watch.consoleErrors, ...watch.pageErrors, ...watch.requests], []);
  await watch.page.close();
});

test('negative control: the chart check fails on a report whose series are empty', async () => {
  const journal = passJournal();
  const empty: Journal = { ...journal, timeline: { ...journal.timeline, slo: [], client: [] } };
  const { watch, charts } = await render('empty-series', empty);
  // Checked against what the journal should have drawn, the empty report is caught per chart.
  const problems = chartProblems(journal, charts);
  for (const id of ['chart-sli', 'chart-errors', 'chart-p99', 'chart-burn'])
    assert.ok(
      problems.some((p) => p.startsWith(`${id}: says no data`)),
      `${id} in ${problems.join('; ')}`,
    );
  // And the empty journal itself is reported as having nothing to draw, never as a pass.
  assert.ok(chartProblems(empty, charts).some((p) => p.startsWith('chart-sli:')));
  await watch.page.close();
});

test('negative control: the page watch catches a request and a console error', async () => {
  const file = join(dir, 'leaky.html');
  await writeFile(
    file,
    '<!doctype html><img src="http://127.0.0.1:9/tracker.png"><script>console.error("boom")</script>',
  );
  const watch = await openWatched(browser, pathToFileURL(file).href);
  assert.deepEqual(watch.requests, ['http://127.0.0.1:9/tracker.png']);
  assert.ok(watch.consoleErrors.includes('boom'), watch.consoleErrors.join('; '));
  await watch.page.close();
});

test('report.html of a 10-minute game day at 200 req/s stays within 2 MB', async () => {
  // 1 s steps, twice as fine as the playground's 2 s scrape interval, to leave margin.
  const journal = syntheticJournal({ rate: 200, stepMs: 1000, clientIntervalMs: 1000 });
  assert.equal(journal.phases.find((p) => p.name === 'chaos')?.plannedMs, 360_000);
  const { paths, watch, charts } = await render('ten-minutes', journal);
  const size = (await stat(paths.html)).size;
  console.log(
    `report.html for a 10-minute game day at 200 req/s, 1 s steps: ${size} bytes (${(size / 1024).toFixed(0)} KiB)`,
  );
  assert.ok(size <= 2 * 1024 * 1024, `${size} bytes > 2 MB`);
  assert.deepEqual(chartProblems(journal, charts), []);
  assert.deepEqual([...watch.consoleErrors, ...watch.pageErrors, ...watch.requests], []);
  await watch.page.close();
});
