import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSample, sampleValue } from './metric-samples.js';

const TEXT = `# HELP x_total things
# TYPE x_total counter
x_total{op="book",result="ok"} 3
x_total{op="book",result="fenced"} 2
x_total{op="read",result="ok"} 5
x_total_created{op="book"} 1700000000
y{path="a\\"b"} 7
z 0
`;

test('findSample sums matching series and tells a missing one from zero', () => {
  assert.equal(findSample(TEXT, 'x_total', { op: 'book' }), 5);
  assert.equal(findSample(TEXT, 'x_total'), 10);
  assert.equal(findSample(TEXT, 'x_total', { op: 'book', result: 'fenced' }), 2);
  assert.equal(findSample(TEXT, 'z'), 0);
  assert.equal(findSample(TEXT, 'y', { path: 'a"b' }), 7);
  // a prefix is not the series; a label value that never occurs is missing, not 0
  assert.equal(findSample(TEXT, 'x'), undefined);
  assert.equal(findSample(TEXT, 'x_total', { op: 'cancel' }), undefined);
  assert.equal(findSample(TEXT, 'renamed_total'), undefined);
});

test('sampleValue throws, naming the series, when it is missing', () => {
  assert.equal(sampleValue(TEXT, 'z'), 0);
  assert.throws(
    () => sampleValue(TEXT, 'x_total', { op: 'cancel' }),
    /no sample x_total\{op="cancel"\}/,
  );
});
