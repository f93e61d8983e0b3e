// The agent admin API's served OpenAPI document against the code: the routes the admin app
// registers and the ones it documents are the same; fault bodies name this agent's links; and
// PUT /app refuses a process outside the agent's family, as the document says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertDocumentMatchesRoutes } from '@faultline/kit/testing/openapi-drift';
import type { Agent } from '../src/agent/agent.js';
import { admin, startAgent } from './agent-helpers.js';

let agent: Agent;

before(async () => {
  agent = await startAgent([
    { name: 'redis', target: '127.0.0.1:9' },
    { name: 'web', target: '127.0.0.1:9', protocol: 'http' },
  ]);
});
after(async () => {
  await agent?.stop();
});

interface Doc {
  openapi: '3.1.0';
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: Record<
            string,
            {
              schema: {
                oneOf: { properties: Record<string, { const?: string; enum?: string[] }> }[];
              };
            }
          >;
        };
      }
    >
  >;
}

test('the document names exactly the routes the admin app serves, and needs no token', async () => {
  const r = await fetch(`${agent.adminUrl}/openapi.json`);
  assert.equal(r.status, 200);
  assertDocumentMatchesRoutes((await r.json()) as Doc, agent.app);
});

test('the token is checked before the body is read: a broken body without it is 401', async () => {
  const r = await fetch(`${agent.adminUrl}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type',
  });
  assert.equal(r.status, 401);
});

test('fault bodies name only the links this agent has; http-fault only its http links', async () => {
  const doc = (await (await fetch(`${agent.adminUrl}/openapi.json`)).json()) as Doc;
  const variants =
    doc.paths['/faults']!.post!.requestBody!.content['application/json']!.schema.oneOf;
  const links = Object.fromEntries(
    variants.map((v) => [v.properties.type!.const!, v.properties.link?.enum ?? null] as const),
  );
  assert.deepEqual(links, {
    latency: ['redis', 'web'],
    bandwidth: ['redis', 'web'],
    'partition-soft': ['redis', 'web'],
    'partition-hard': ['redis', 'web'],
    reset: ['redis', 'web'],
    'http-fault': ['web'],
    pause: null,
    kill: null,
  });
});

test('PUT /app: a child of the agent is taken; an unrelated or missing process is not', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  try {
    assert.equal((await admin(agent, 'PUT', '/app', { pid: child.pid })).status, 200);
    // pid 2 is kthreadd (or another process, never ours): neither child nor sibling.
    const other = await admin<{ error: string }>(agent, 'PUT', '/app', { pid: 2 });
    assert.equal(other.status, process.ppid === 2 ? 200 : 403);
    assert.equal((await admin(agent, 'PUT', '/app', { pid: 4_194_304 })).status, 404);
  } finally {
    child.kill('SIGKILL');
  }
});
