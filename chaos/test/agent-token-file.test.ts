// The admin token from a provided file (a Kubernetes Secret mounted into the sidecar): a
// present, non-empty file is the token and is left untouched; a missing or blank one gets a
// generated token written 0600. Checked in-process and through the real agent process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import { admin, AGENT_MAIN, startAgent } from './agent-helpers.js';

const SECRET = 'provided-secret-token-0123456789abcdef';
let dir: string;
const agents: Agent[] = [];
const procs: ManagedProcess[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-token-'));
});

after(async () => {
  for (const a of agents) await a.stop();
  for (const p of procs) await p.stop();
  await rm(dir, { recursive: true, force: true });
});

async function agentWithTokenFile(path: string): Promise<Agent> {
  const agent = await startAgent([], undefined, path);
  agents.push(agent);
  return agent;
}

test('a provided token file is the token and is not overwritten', async () => {
  const file = join(dir, 'provided');
  await writeFile(file, `${SECRET}\n`, { mode: 0o640 });
  const before = await stat(file);
  const agent = await agentWithTokenFile(file);
  assert.equal(agent.tokenSource, 'file');
  assert.equal(agent.token, SECRET);
  assert.equal((await admin(agent, 'GET', '/faults', undefined, SECRET)).status, 200);
  assert.equal((await admin(agent, 'GET', '/faults', undefined, 'something-else')).status, 401);
  // Same bytes, same inode, same mode: the agent never wrote it.
  assert.equal(await readFile(file, 'utf8'), `${SECRET}\n`);
  const now = await stat(file);
  assert.equal(now.ino, before.ino);
  assert.equal((now.mode & 0o777).toString(8), '640');
});

for (const [name, prepare] of [
  ['missing', async () => {}],
  ['blank', (path: string) => writeFile(path, '  \n', { mode: 0o600 })],
] as const) {
  test(`a ${name} token file gets a generated token, written 0600`, async () => {
    const file = join(dir, name);
    await prepare(file);
    const agent = await agentWithTokenFile(file);
    assert.equal(agent.tokenSource, 'generated');
    assert.ok(agent.token.length >= 32);
    assert.equal((await readFile(file, 'utf8')).trim(), agent.token);
    assert.equal(((await stat(file)).mode & 0o777).toString(8), '600');
  });
}

test('the agent process takes its token from FAULTLINE_AGENT_TOKEN_FILE when present', async () => {
  const tokenFile = join(dir, 'process-secret');
  const infoFile = join(dir, 'process-info.json');
  await writeFile(tokenFile, SECRET, { mode: 0o600 });
  const p = startProcess(
    process.execPath,
    ['--import', '@faultline/kit/telemetry-preload', AGENT_MAIN],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        FAULTLINE_AGENT_LINKS: '[]',
        FAULTLINE_AGENT_TOKEN_FILE: tokenFile,
        FAULTLINE_AGENT_INFO_FILE: infoFile,
      },
    },
  );
  procs.push(p);
  const info = await waitFor(
    async () => JSON.parse(await readFile(infoFile, 'utf8')) as { adminUrl: string },
    `the agent's info file\n${p.output()}`,
  );
  const get = (token: string) =>
    fetch(`${info.adminUrl}/faults`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await get(SECRET)).status, 200);
  assert.equal((await get('not-the-secret')).status, 401);
  assert.equal(await readFile(tokenFile, 'utf8'), SECRET);
});
