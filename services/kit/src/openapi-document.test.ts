import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  buildOpenApiDocument,
  documentedRoutes,
  jsonBody,
  parametersOf,
  schemaOf,
} from './openapi-document.js';

const page = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  cursor: z.string().optional(),
  id: z.uuid(),
});

test('schemaOf: JSON Schema 2020-12 of the input, without a $schema of its own', () => {
  const s = schemaOf(z.strictObject({ name: z.string().min(1), qty: z.number().int() }));
  assert.deepEqual(s, {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      qty: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
    },
    required: ['name', 'qty'],
    additionalProperties: false,
  });
});

test('parametersOf: one per field; a default or optional field is not required; bounds kept', () => {
  const params = parametersOf(page, 'query');
  assert.deepEqual(
    params.map((p) => [p.name, p.required]),
    [
      ['offset', false],
      ['cursor', false],
      ['id', true],
    ],
  );
  assert.equal(params[0]!.schema.maximum, 1_000_000, 'the code and the document share the bound');
  assert.equal(params[0]!.schema.type, 'integer', 'coerced from the query string, typed as parsed');
  assert.ok(
    parametersOf(page, 'path').every((p) => p.required),
    'path parameters always are',
  );
});

test('a bearer API: every own operation needs the token and may answer 401; the kit paths not', () => {
  const doc = buildOpenApiDocument({
    title: 't',
    version: '1',
    bearerAuth: { realm: 'r' },
    paths: {
      '/things': {
        post: { summary: 's', requestBody: jsonBody(z.object({ a: z.string() })), responses: {} },
      },
    },
  });
  const post = doc.paths['/things']!.post!;
  assert.deepEqual(post.security, [{ bearerAuth: [] }]);
  assert.deepEqual(Object.keys(post.responses).sort(), ['400', '401', '413', '415']);
  assert.equal(post.responses['401']!.headers?.['WWW-Authenticate']?.required, true);
  assert.deepEqual(doc.paths['/livez']!.get!.security, []);
  assert.deepEqual(doc.components.securitySchemes, {
    bearerAuth: { type: 'http', scheme: 'bearer' },
  });
  assert.deepEqual(documentedRoutes(doc), [
    'GET /livez',
    'GET /metrics',
    'GET /openapi.json',
    'GET /readyz',
    'GET /startupz',
    'POST /things',
  ]);
});

test('an API without a token has no security scheme and no 401', () => {
  const doc = buildOpenApiDocument({
    title: 't',
    version: '1',
    paths: { '/x': { get: { summary: 's', responses: {} } } },
  });
  assert.equal(doc.components.securitySchemes, undefined);
  assert.deepEqual(doc.paths['/x']!.get!.responses, {});
  assert.equal(doc.paths['/x']!.get!.security, undefined);
});
