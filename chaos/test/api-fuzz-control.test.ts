// The negative controls of api-fuzz.test.ts: the same schemathesis runs and assertions,
// against a loopback fixture whose document promises a `name` in every widget and a token for
// every request. Kept, both runs are clean; a response without the `name`, or a route that
// answers without the token, must fail, naming the check and the operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { securedOperations, unauthenticatedAnswers } from './openapi-security.js';
import { describeFailures, runSchemathesis, schemathesisBinary } from './schemathesis-run.js';

const TOKEN = 'fixture-token';
const error = {
  description: 'an error',
  content: {
    'application/json': {
      schema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    },
  },
};
const document = {
  openapi: '3.1.0',
  info: { title: 'widget fixture', version: '1' },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearerAuth: [] }],
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
          '401': error,
        },
      },
    },
  },
};

type Behaviour = 'keeps its promises' | 'drops the name' | 'ignores the token';

async function widgetServer(behaviour: Behaviour): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/openapi.json' && req.method === 'GET') return json(200, document);
    const m = /^\/widgets\/([^/]+)$/.exec(url.pathname);
    if (!m) return json(404, { error: 'not_found' });
    if (behaviour !== 'ignores the token' && req.headers.authorization !== `Bearer ${TOKEN}`)
      return json(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    if (req.method !== 'GET') return json(405, { error: 'method_not_allowed' }, { allow: 'GET' });
    const id = decodeURIComponent(m[1]!);
    return json(200, behaviour === 'drops the name' ? { id } : { id, name: `widget ${id}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function fuzzWidgets(behaviour: Behaviour, withToken: boolean) {
  const { url, server } = await widgetServer(behaviour);
  try {
    return await runSchemathesis(schemathesisBinary(), {
      api: `fixture that ${behaviour}`,
      schemaUrl: `${url}/openapi.json`,
      headers: withToken ? { Authorization: `Bearer ${TOKEN}` } : undefined,
      maxExamples: 10,
    });
  } finally {
    server.close();
  }
}

test('the fixture keeping its promises passes every check, with and without the token', async () => {
  for (const withToken of [true, false]) {
    const r = await fuzzWidgets('keeps its promises', withToken);
    assert.deepEqual(describeFailures(r), [], r.output);
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(r.testCases > 0, 'cases were generated');
    const answers = unauthenticatedAnswers(securedOperations(document), r.entries);
    assert.ok(answers.length > 0);
    if (!withToken) assert.deepEqual([...new Set(answers.map((e) => e.status))], [401]);
  }
});

test('a response missing a required field fails the schema check, on that operation', async () => {
  const r = await fuzzWidgets('drops the name', true);
  assert.notEqual(r.exitCode, 0, 'st run exits non-zero');
  assert.deepEqual(describeFailures(r), [
    'fixture that drops the name: ST108 Response violates schema: GET /widgets/{widgetId}',
  ]);
  assert.match(r.output, /"name" is a required property/);
});

test('a route answering without the token is caught, by schemathesis and by the 401 check', async () => {
  const r = await fuzzWidgets('ignores the token', false);
  const leaks = unauthenticatedAnswers(securedOperations(document), r.entries).filter(
    (e) => e.status !== 401,
  );
  assert.ok(leaks.length > 0, 'the recorded answers show data without the token');
  assert.ok(
    describeFailures(r).includes(
      'fixture that ignores the token: ST401 API accepts requests without authentication: GET /widgets/{widgetId}',
    ),
    describeFailures(r).join('\n'),
  );
});
