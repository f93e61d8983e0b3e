import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toStructuralSchema } from './structural-schema.js';

// A discriminated union as zod emits it: two fault types, one field each of their own.
const union = {
  oneOf: [
    {
      type: 'object',
      properties: {
        type: { type: 'string', const: 'latency' },
        jitterMs: { type: 'integer', default: 0 },
        shared: { type: 'string', default: 'x' },
      },
      required: ['type'],
    },
    {
      type: 'object',
      properties: {
        type: { type: 'string', const: 'pod-kill' },
        shared: { type: 'string', default: 'x' },
      },
      required: ['type'],
    },
  ],
};

test('a flattened union keeps defaults only on fields every variant has', () => {
  const out = toStructuralSchema(union) as { properties: Record<string, { default?: unknown }> };
  // The API server would write jitterMs: 0 into every pod-kill, which its schema refuses.
  assert.equal('default' in out.properties.jitterMs!, false);
  assert.equal(out.properties.shared?.default, 'x');
});
