/**
 * `junit.xml`: the game day as test results CI systems display — one suite each for the
 * verdict, the SLOs, the checkers and the fault verifications, one testcase per item. A missed
 * SLO, a failed checker or a fault that did not take effect is a `<failure>` whose message is
 * the reason; a checker that could not run or a fault the engine never applied is an `<error>`
 * (the harness, not the system); "no data" and "unknown" are `<skipped>` with the reason, so
 * CI shows them without counting them as passes. The exit code stays what gates a pipeline.
 */
import type { CheckerResult, FaultWindow, Journal, SloVerdict } from './journal.js';
import { byWindowLength, faultSpan, num, percent } from './report-format.js';

type Outcome =
  { kind: 'pass' } | { kind: 'failure' | 'error' | 'skipped'; message: string; detail?: string };

interface Case {
  name: string;
  classname: string;
  seconds: number;
  outcome: Outcome;
  /** Shown by CI next to the case (the figures behind the outcome). */
  output: string;
}

/** XML 1.0 forbids most control characters even escaped; drop them, escape the rest. */
export function xmlEscape(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number | undefined): number =>
  ms === undefined || !Number.isFinite(ms) ? 0 : Math.max(0, ms) / 1000;

function verdictCase(j: Journal): Case {
  const reasons = j.verdict.reasons.join('; ') || j.verdict.overall;
  const overall = j.verdict.overall;
  const outcome: Outcome =
    overall === 'PASS'
      ? { kind: 'pass' }
      : overall === 'FAIL'
        ? { kind: 'failure', message: reasons }
        : overall === 'INCONCLUSIVE'
          ? { kind: 'skipped', message: `inconclusive: ${reasons}` }
          : {
              kind: 'error',
              message: overall === 'ABORTED' ? `aborted: ${j.abort?.reason ?? reasons}` : reasons,
              detail: j.verdict.harnessErrors.join('\n'),
            };
  return {
    name: `verdict ${overall}`,
    classname: `gameday.${j.spec.name}`,
    seconds: seconds(j.endedAt - j.startedAt),
    outcome,
    output: `${j.spec.hypothesis.statement}\nexit code ${j.exitCode}`,
  };
}

function sloCase(j: Journal, v: SloVerdict): Case {
  const figures =
    `SLI ${percent(v.sli.overall)} vs objective ${percent(v.objective)}; ` +
    `budget burned ${percent(v.budget.gameDayShare, 1)} of the game day's, ` +
    `${percent(v.budget.thirtyDayShare, 4)} of 30 days'; ${v.events.bad}/${v.events.total} bad events`;
  const undetected = v.detection.filter((d) => d.timeToDetectMs === null).length;
  const outcome: Outcome =
    v.met === null
      ? { kind: 'skipped', message: `no data for ${v.slo}` }
      : v.met
        ? { kind: 'pass' }
        : { kind: 'failure', message: `${v.slo} missed its objective: ${figures}` };
  return {
    name: v.slo,
    classname: `gameday.${j.spec.name}.slo`,
    seconds: seconds(j.endedAt - j.startedAt),
    outcome,
    output: `${figures}\nworst burn rate: ${byWindowLength(Object.entries(v.worstBurnRate))
      .map(([w, b]) => `${w} ${b ? num(b.value) : 'no data'}`)
      .join(', ')}\nfaults not detected: ${undetected}`,
  };
}

function checkerCase(j: Journal, c: CheckerResult): Case {
  const outcome: Outcome =
    c.status === 'pass'
      ? { kind: 'pass' }
      : c.status === 'fail'
        ? {
            kind: 'failure',
            message: c.witness ? `${c.summary}: ${c.witness.description}` : c.summary,
            detail: (c.witness?.events ?? []).map((e) => `${e.subject}: ${e.detail}`).join('\n'),
          }
        : c.error
          ? { kind: 'error', message: `checker could not run: ${c.error}` }
          : {
              kind: 'skipped',
              message: `unknown: ${c.unknownOperations} operations of unknown outcome; ${c.summary}`,
            };
  return {
    name: c.name,
    classname: `gameday.${j.spec.name}.checker`,
    seconds: seconds(c.durationMs),
    outcome,
    output: `${c.summary}\nchecked ${c.checked}, unknown outcome ${c.unknownOperations}`,
  };
}

function faultCase(j: Journal, f: FaultWindow): Case {
  const evidence = [
    ...f.observed.evidence,
    ...f.verification.map((v) => `${v.pod}: ${v.outcome} (${v.observed})`),
  ];
  const outcome: Outcome =
    f.startedAt === undefined
      ? {
          kind: 'error',
          message: `never applied (engine ${f.enginePhase}${f.engineMessage ? `: ${f.engineMessage}` : ''})`,
        }
      : f.observed.status === 'confirmed'
        ? { kind: 'pass' }
        : f.observed.status === 'mismatch'
          ? {
              kind: 'failure',
              message: `requested ${f.requested}, observed otherwise: ${evidence.join('; ')}`,
            }
          : { kind: 'skipped', message: `inconclusive: ${evidence.join('; ') || 'no evidence'}` };
  return {
    name: `${f.name} (${f.faultType})`,
    classname: `gameday.${j.spec.name}.fault`,
    seconds: seconds(
      f.startedAt !== undefined && f.endedAt !== undefined ? f.endedAt - f.startedAt : 0,
    ),
    outcome,
    output: `requested: ${f.requested}\ntargets: ${f.targets.join(', ') || 'none'}\nwindow: ${faultSpan(f)}\n${evidence.join('\n')}`,
  };
}

function caseXml(c: Case): string {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.seconds.toFixed(3)}"`;
  const body: string[] = [];
  if (c.outcome.kind !== 'pass') {
    const tag = c.outcome.kind;
    const detail = c.outcome.detail ? xmlEscape(c.outcome.detail) : '';
    body.push(
      detail
        ? `      <${tag} message="${xmlEscape(c.outcome.message)}" type="${tag}">${detail}</${tag}>`
        : `      <${tag} message="${xmlEscape(c.outcome.message)}"${tag === 'skipped' ? '' : ` type="${tag}"`}/>`,
    );
  }
  body.push(`      <system-out>${xmlEscape(c.output)}</system-out>`);
  return `${open}>\n${body.join('\n')}\n    </testcase>`;
}

function suiteXml(name: string, timestamp: string, cases: Case[]): string {
  const count = (kind: Outcome['kind']) => cases.filter((c) => c.outcome.kind === kind).length;
  const time = cases.reduce((t, c) => Math.max(t, c.seconds), 0);
  return [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}" timestamp="${timestamp}">`,
    ...cases.map(caseXml),
    '  </testsuite>',
  ].join('\n');
}

/** Renders the JUnit XML report of a journal. */
export function renderJunit(journal: Journal): string {
  const timestamp = new Date(journal.startedAt).toISOString().replace(/\.\d{3}Z$/, '');
  const suites: [string, Case[]][] = [
    [`${journal.spec.name}: verdict`, [verdictCase(journal)]],
    [`${journal.spec.name}: SLOs`, journal.verdicts.map((v) => sloCase(journal, v))],
    [`${journal.spec.name}: checkers`, journal.checkers.map((c) => checkerCase(journal, c))],
    [`${journal.spec.name}: faults`, journal.faults.map((f) => faultCase(journal, f))],
  ];
  const all = suites.flatMap(([, cases]) => cases);
  const count = (kind: Outcome['kind']) => all.filter((c) => c.outcome.kind === kind).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(`gameday ${journal.spec.name}`)}" tests="${all.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(journal.endedAt - journal.startedAt).toFixed(3)}">`,
    ...suites.map(([name, cases]) => suiteXml(name, timestamp, cases)),
    '</testsuites>',
    '',
  ].join('\n');
}
