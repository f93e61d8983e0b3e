/**
 * The committed JSON Schema and CRD are exactly what the generator makes from the zod spec now
 * (regenerate: node chaos/dist/src/experiment/generate-schemas.js), and the CRD schema is
 * structural as the API server requires.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  experimentCrd,
  renderSchemaFiles,
  SCHEMA_DIR,
} from '../src/experiment/schema-artifacts.js';
import { structuralViolations, toStructuralSchema } from '../src/experiment/structural-schema.js';
import type { SchemaNode } from '../src/experiment/structural-schema.js';

/** Written out, not imported from spec.ts: the generated files must list exactly these. */
const FAULT_TYPES = ['pod-kill', 'pod-pause', 'latency', 'bandwidth', 'partition', 'http-fault'];

test('committed schema files equal freshly generated output', async () => {
  const fresh = await renderSchemaFiles();
  assert.deepEqual(Object.keys(fresh).sort(), ['crd-experiment.yaml', 'experiment.schema.json']);
  for (const [name, content] of Object.entries(fresh)) {
    const committed = await readFile(join(SCHEMA_DIR, name), 'utf8');
    assert.equal(
      committed,
      content,
      `${name} is stale: run node chaos/dist/src/experiment/generate-schemas.js`,
    );
  }
});

test('the CRD is apiextensions v1 with a structural schema and a status subresource', async () => {
  const crd = parse(await readFile(join(SCHEMA_DIR, 'crd-experiment.yaml'), 'utf8')) as SchemaNode;
  assert.deepEqual(crd, JSON.parse(JSON.stringify(experimentCrd())));
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  const version = (crd.spec as { versions: SchemaNode[] }).versions[0] as {
    subresources: unknown;
    schema: { openAPIV3Schema: SchemaNode };
  };
  assert.deepEqual(version.subresources, { status: {} });
  const root = version.schema.openAPIV3Schema;
  assert.deepEqual(structuralViolations(root), []);
  const props = root.properties as Record<string, SchemaNode>;
  const status = props.status?.properties as Record<string, unknown>;
  for (const field of ['phase', 'conditions', 'targets', 'verification'])
    assert.ok(field in status, field);
  const fault = (props.spec?.properties as Record<string, SchemaNode>).fault as SchemaNode;
  assert.deepEqual((fault.properties as Record<string, SchemaNode>).type?.enum, FAULT_TYPES);
  assert.ok(JSON.stringify(root).includes('Delay in milliseconds'), 'descriptions carried over');
});

test('the structural check catches what conversion must remove (negative control)', () => {
  const raw: SchemaNode = {
    type: 'object',
    properties: {
      a: { anyOf: [{ type: 'string' }, { type: 'object', properties: {} }] },
      b: { type: 'number', exclusiveMinimum: 0 },
      c: { const: 'x' },
    },
  };
  const before = structuralViolations(raw).join('\n');
  assert.match(before, /\.a: anyOf is not allowed/);
  assert.match(before, /\.b: exclusive bounds must be booleans/);
  assert.match(before, /\.c: const is not allowed/);
  const converted = toStructuralSchema(raw);
  assert.deepEqual(structuralViolations(converted), []);
  const p = converted.properties as Record<string, SchemaNode>;
  assert.equal(p.a?.['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(p.b, { type: 'number', minimum: 0, exclusiveMinimum: true });
});

test('the editor JSON Schema names every fault type and requires duration', async () => {
  const schema = JSON.parse(
    await readFile(join(SCHEMA_DIR, 'experiment.schema.json'), 'utf8'),
  ) as SchemaNode;
  const spec = (schema.properties as Record<string, SchemaNode>).spec as SchemaNode;
  assert.ok((spec.required as string[]).includes('duration'));
  const types = ((spec.properties as Record<string, SchemaNode>).fault?.oneOf as SchemaNode[]).map(
    (v) => ((v.properties as Record<string, SchemaNode>).type as SchemaNode).const,
  );
  assert.deepEqual(types, FAULT_TYPES);
});
