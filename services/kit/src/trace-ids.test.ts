import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import { newSpanId, newTraceId } from './trace-ids.js';

test('ids are valid W3C ids and do not repeat, across pool refills', () => {
  const traces = new Set<string>();
  const spans = new Set<string>();
  // 4 KiB pool: 1,000 of each draws 24 KB, so the pool is refilled several times.
  for (let i = 0; i < 1000; i++) {
    const t = newTraceId();
    const s = newSpanId();
    assert.ok(isValidTraceId(t) && /^[0-9a-f]{32}$/.test(t), t);
    assert.ok(isValidSpanId(s) && /^[0-9a-f]{16}$/.test(s), s);
    traces.add(t);
    spans.add(s);
  }
  assert.equal(traces.size, 1000);
  assert.equal(spans.size, 1000);
});
