import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OPERATIONS } from './operations.js';
import { freshScenarioJson } from './scenario-json.js';

test('the committed scenario JSON (what k6 opens) equals fresh output from the YAML and slos/', () => {
  const all = freshScenarioJson();
  assert.deepEqual(
    all.map((s) => s.yaml.replace(/.*\//, '')),
    ['booking-rush.yaml', 'browse.yaml', 'steady-mix.yaml'],
  );
  for (const s of all) {
    let committed = '';
    try {
      committed = readFileSync(s.json, 'utf8');
    } catch {
      assert.fail(`${s.json} is missing; run npm run generate -w loadtests`);
    }
    assert.equal(committed, s.text, `${s.json} is stale; run npm run generate -w loadtests`);
  }
});

test('every scenario carries thresholds from the booking SLOs', () => {
  for (const s of freshScenarioJson()) {
    const c = JSON.parse(s.text) as { name: string; thresholds: Record<string, unknown> };
    assert.ok(
      Object.keys(c.thresholds).some((k) => k.startsWith('http_req_failed{slo_')),
      `${c.name}: no availability threshold`,
    );
  }
});

test('operation templates use only placeholders the runners fill', () => {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    const text = JSON.stringify(op);
    for (const m of text.matchAll(/\{(\w+)\}/g))
      assert.ok(['seatId', 'showId', 'userId'].includes(m[1]!), `${name}: {${m[1]}}`);
  }
});
