/**
 * junit.xml on the four fixture journals, parsed by a real XML parser (Chromium's DOMParser,
 * strict XML: one stray `&` or `<` is a parse error): a testcase per SLO, checker and fault
 * verification plus the verdict, the counts on each suite agree with its cases, and a failure
 * carries its reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Journal } from '../src/gameday/journal.js';
import { renderJunit } from '../src/gameday/report-junit.js';
import { launchChromium } from './gameday-report-browser.js';
import type { ReportBrowser } from './gameday-report-browser.js';
import {
  abortedJournal,
  failJournal,
  inconclusiveJournal,
  passJournal,
} from './fixtures/gameday/journals.js';

interface ParsedCase {
  suite: string;
  name: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
  message: string;
}
interface Parsed {
  parseError: string | null;
  root: string;
  suites: {
    name: string;
    tests: number;
    failures: number;
    errors: number;
    skipped: number;
    cases: number;
  }[];
  cases: ParsedCase[];
}

/** Runs in the page (a string: the tests compile without the DOM library). */
const PARSE_SCRIPT = `(xml) => {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const err = doc.querySelector('parsererror');
  if (err) return { parseError: err.textContent, root: '', suites: [], cases: [] };
  const suites = [...doc.querySelectorAll('testsuite')];
  const n = (el, a) => Number(el.getAttribute(a));
  return {
    parseError: null,
    root: doc.documentElement.tagName,
    suites: suites.map((s) => ({
      name: s.getAttribute('name'), tests: n(s, 'tests'), failures: n(s, 'failures'),
      errors: n(s, 'errors'), skipped: n(s, 'skipped'), cases: s.querySelectorAll('testcase').length,
    })),
    cases: suites.flatMap((s) => [...s.querySelectorAll('testcase')].map((c) => {
      const bad = c.querySelector('failure, error, skipped');
      return {
        suite: s.getAttribute('name'), name: c.getAttribute('name'),
        outcome: bad ? bad.tagName : 'pass',
        message: bad ? (bad.getAttribute('message') || '') + ' ' + bad.textContent : '',
      };
    })),
  };
}`;

let browser: ReportBrowser;
let page: Page;
before(async () => {
  browser = await launchChromium();
  page = await browser.context.newPage();
});
after(async () => {
  await browser?.close();
});

async function parse(xml: string): Promise<Parsed> {
  return page.evaluate<Parsed>(`(${PARSE_SCRIPT})(${JSON.stringify(xml)})`);
}

function outcomes(p: Parsed, suiteSuffix: string): Record<string, string> {
  return Object.fromEntries(
    p.cases.filter((c) => c.suite.endsWith(suiteSuffix)).map((c) => [c.name, c.outcome]),
  );
}

async function parsedJunit(journal: Journal): Promise<Parsed> {
  const p = await parse(renderJunit(journal));
  assert.equal(p.parseError, null);
  assert.equal(p.root, 'testsuites');
  for (const s of p.suites) {
    assert.equal(s.tests, s.cases, `${s.name}: tests attribute`);
    const inSuite = p.cases.filter((c) => c.suite === s.name);
    assert.equal(
      s.failures,
      inSuite.filter((c) => c.outcome === 'failure').length,
      `${s.name}: failures`,
    );
    assert.equal(
      s.errors,
      inSuite.filter((c) => c.outcome === 'error').length,
      `${s.name}: errors`,
    );
    assert.equal(
      s.skipped,
      inSuite.filter((c) => c.outcome === 'skipped').length,
      `${s.name}: skipped`,
    );
  }
  assert.equal(
    p.cases.length,
    1 + journal.verdicts.length + journal.checkers.length + journal.faults.length,
    'one case for the verdict and per SLO, checker and fault',
  );
  return p;
}

test('junit.xml: PASS has only passing cases', async () => {
  const p = await parsedJunit(passJournal());
  assert.deepEqual(
    p.suites.map((s) => s.name),
    ['verdict', 'SLOs', 'checkers', 'faults'].map((s) => `booking-under-chaos: ${s}`),
  );
  assert.deepEqual(new Set(p.cases.map((c) => c.outcome)), new Set(['pass']));
  assert.deepEqual(outcomes(p, 'checkers'), {
    'booking-ledger': 'pass',
    'booking-history': 'pass',
    'scheduler-terms': 'pass',
  });
});

test('junit.xml: FAIL carries the double-booking witness in its failure', async () => {
  const p = await parsedJunit(failJournal());
  assert.equal(outcomes(p, 'verdict')['verdict FAIL'], 'failure');
  assert.equal(outcomes(p, 'checkers')['booking-ledger'], 'failure');
  const ledger = p.cases.find((c) => c.name === 'booking-ledger');
  assert.match(
    ledger?.message ?? '',
    /seat gala-7: bookings b1 \(token 7\) and b2 \(token 8\) both active/,
  );
  assert.match(ledger?.message ?? '', /from booking-2 & <kept>/, 'escaped and read back intact');
  assert.equal(p.cases.filter((c) => c.outcome === 'failure').length, 2);
});

test('junit.xml: ABORTED is an error with the abort reason; the missed SLO a failure', async () => {
  const p = await parsedJunit(abortedJournal());
  const verdict = p.cases.find((c) => c.suite.endsWith('verdict'));
  assert.equal(verdict?.outcome, 'error');
  assert.match(
    verdict?.message ?? '',
    /aborted: SLOBurnRatePageGameDay firing for booking-availability/,
  );
  assert.equal(outcomes(p, 'SLOs')['booking-availability'], 'failure');
  assert.match(
    p.cases.find((c) => c.name === 'booking-availability')?.message ?? '',
    /booking-availability missed its objective: SLI .* vs objective 99\.9 %/,
  );
});

test('junit.xml: INCONCLUSIVE and SLOs without data are skipped with the reason', async () => {
  const p = await parsedJunit(inconclusiveJournal());
  const verdict = p.cases.find((c) => c.suite.endsWith('verdict'));
  assert.equal(verdict?.outcome, 'skipped');
  assert.match(verdict?.message ?? '', /inconclusive: not steady before chaos/);
  assert.deepEqual(new Set(Object.values(outcomes(p, 'SLOs'))), new Set(['skipped']));
});

test('junit.xml: fault verification, unknown checkers and hostile text', async () => {
  const j = passJournal();
  const [first, second, third] = j.faults;
  assert.ok(first && second && third);
  first.observed.status = 'mismatch';
  first.observed.evidence = ['client: no latency change in the window'];
  second.startedAt = undefined;
  second.enginePhase = 'Refused';
  second.engineMessage = 'safety: share of replicas > 50 %';
  third.observed.status = 'inconclusive';
  j.checkers[1]!.status = 'unknown';
  j.checkers[1]!.unknownOperations = 12;
  j.checkers[2]!.status = 'unknown';
  j.checkers[2]!.error = 'etcd unreachable';
  j.spec.name = 'odd <name> & "quotes" \u0001';
  const p = await parsedJunit(j);
  assert.deepEqual(Object.values(outcomes(p, 'faults')), ['failure', 'error', 'skipped']);
  assert.match(
    p.cases.find((c) => c.outcome === 'error' && c.suite.endsWith('faults'))?.message ?? '',
    /never applied \(engine Refused: safety/,
  );
  assert.deepEqual(Object.values(outcomes(p, 'checkers')), ['pass', 'skipped', 'error']);
  assert.ok(p.suites[0]?.name.startsWith('odd <name> & "quotes" '));
});

test('negative control: the parser rejects XML with an unescaped ampersand', async () => {
  const broken = renderJunit(passJournal()).replace('booking-ledger', 'booking & ledger');
  assert.notEqual((await parse(broken)).parseError, null);
});
