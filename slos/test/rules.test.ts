/**
 * The generated rule files: equal to fresh output, valid for `promtool check rules`, and
 * behaving as stated under `promtool test rules` (test/*.rules-test.yaml: the page alerts fire
 * within their stated detection time for a total outage, stay silent at a tenth of the budget
 * rate, resolve after recovery). A negative control shows the promtool tests catch a wrong
 * factor.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { GENERATED_DIR, renderRuleFiles } from '../src/generate-rules.js';
import { loadSlos } from '../src/load.js';
import { packageRoot } from '../src/paths.js';

const run = promisify(execFile);
const TEST_DIR = join(packageRoot, 'test');
/** A hang guard for promtool's unit tests on a busy shared machine, not a performance bound. */
const PROMTOOL_TEST = { timeout: 600_000 };
const ruleTests = readdirSync(TEST_DIR).filter((f) => f.endsWith('.rules-test.yaml'));

/** promtool's exit status and output (it exits non-zero on failure; that is data here). */
async function promtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run('promtool', args, { maxBuffer: 16 << 20 });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error('promtool not found: run `make deps` (Debian prometheus)');
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

test('committed rule files equal freshly generated output (regenerate: make slos)', () => {
  const fresh = renderRuleFiles(loadSlos());
  const committed = readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(committed.sort(), Object.keys(fresh).sort(), 'one file per SLO, none stale');
  for (const [name, text] of Object.entries(fresh))
    assert.equal(
      readFileSync(join(GENERATED_DIR, name), 'utf8'),
      text,
      `${name} is stale: run make slos`,
    );
});

test('promtool check rules accepts every generated file', async () => {
  const files = readdirSync(GENERATED_DIR).map((f) => join(GENERATED_DIR, f));
  assert.ok(files.length >= 4, 'booking availability and latency, gateway, scheduler');
  const r = await promtool('check', 'rules', ...files);
  assert.ok(r.ok, r.output);
  assert.equal(r.output.match(/SUCCESS/g)?.length, files.length, r.output);
});

test('there are promtool unit tests for the game-day and the standard page alert', () => {
  assert.deepEqual(ruleTests.sort(), [
    'gameday-page.rules-test.yaml',
    'standard-page.rules-test.yaml',
  ]);
});

for (const file of ruleTests) {
  test(`promtool test rules ${file}`, PROMTOOL_TEST, async () => {
    const r = await promtool('test', 'rules', join(TEST_DIR, file));
    assert.ok(r.ok, r.output);
    assert.match(r.output, /SUCCESS/);
  });
}

test(
  'negative control: a game-day page factor of 28.8 instead of 14.4 fails its promtool test',
  PROMTOOL_TEST,
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slo-rules-'));
    try {
      cpSync(GENERATED_DIR, join(dir, 'generated'), { recursive: true });
      // Only the outage case: the doubled factor must miss the stated detection time.
      const unitTests = parse(
        readFileSync(join(TEST_DIR, 'gameday-page.rules-test.yaml'), 'utf8'),
      ) as {
        tests: unknown[];
      };
      mkdirSync(join(dir, 'test'));
      writeFileSync(
        join(dir, 'test', 'gameday-page.rules-test.yaml'),
        stringify({ ...unitTests, tests: unitTests.tests.slice(0, 1) }),
      );
      const rules = join(dir, 'generated', 'booking-availability.yaml');
      const text = readFileSync(rules, 'utf8');
      const fast = /(ratio_rate(?:5s|1m)\{[^}]*\} > \()14\.4( \* 0\.005\))/g;
      assert.equal(text.match(fast)?.length, 2, 'the 1m/5s clause of the game-day page');
      writeFileSync(rules, text.replace(fast, '$128.8$2'));
      const r = await promtool('test', 'rules', join(dir, 'test', 'gameday-page.rules-test.yaml'));
      assert.equal(r.ok, false, 'the doubled factor must miss the stated detection time');
      assert.match(r.output, /SLOBurnRatePageGameDay, time: 10m6s/, r.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
