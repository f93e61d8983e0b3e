// The negative control of api-fuzz.test.ts: the same schemathesis run, against a loopback
// fixture whose document promises a `name` in every widget. Kept, the run is clean; dropped
// from one answer, schemathesis must fail, naming the schema check and the operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeFailures, runSchemathesis, schemathesisBinary } from './schemathesis-run.js';

const document = {
  openapi: '3.1.0',
  info: { title: 'widget fixture', version: '1' },
  paths: {
    '/widgets/{widgetId}': {
      get: {
        operationId: 'getWidget',
        parameters: [{ name: 'widgetId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'the widget',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'name'],
                  properties: { id: { type: 'string' }, name: { type: 'string' } },
                  additionalProperties: false,
                },
              },
            },
          },
        },
      },
    },
  },
};

/** The fixture API; `broken` drops the promised `name` from the widget it returns. */
async function widgetServer(broken: boolean): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/openapi.json' && req.method === 'GET') return json(200, document);
    const m = /^\/widgets\/([^/]+)$/.exec(url.pathname);
    if (!m) return json(404, { error: 'not_found' });
    if (req.method !== 'GET') return json(405, { error: 'method_not_allowed' }, { allow: 'GET' });
    const id = decodeURIComponent(m[1]!);
    return json(200, broken ? { id } : { id, name: `widget ${id}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function fuzzWidgets(broken: boolean) {
  const { url, server } = await widgetServer(broken);
  try {
    return await runSchemathesis(schemathesisBinary(), {
      api: broken ? 'broken fixture' : 'fixture',
      schemaUrl: `${url}/openapi.json`,
      maxExamples: 10,
    });
  } finally {
    server.close();
  }
}

test('the fixture keeping its promise passes every check', async () => {
  const r = await fuzzWidgets(false);
  assert.deepEqual(describeFailures(r), [], r.output);
  assert.equal(r.exitCode, 0, r.output);
  assert.ok(r.testCases > 0, 'cases were generated');
});

test('a response missing a required field fails the schema check, on that operation', async () => {
  const r = await fuzzWidgets(true);
  assert.notEqual(r.exitCode, 0, 'st run exits non-zero');
  assert.deepEqual(describeFailures(r), [
    'broken fixture: ST108 Response violates schema: GET /widgets/{widgetId}',
  ]);
  assert.match(r.output, /"name" is a required property/);
});
