// The agent as a real process (main.js with the telemetry preload): config errors fail fast
// (exit 78, every bad variable named), the token file is 0600, a fault is one exported span,
// and SIGTERM ends every fault — a paused app is resumed — before a clean exit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { processState } from '../src/agent/app-process.js';
import { AGENT_MAIN, openSocket, waitStopped, within } from './agent-helpers.js';

let dir: string;
let redis: RedisServer;
let receiver: OtlpReceiver;
const procs: ManagedProcess[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-agent-'));
  redis = await startRedis();
  receiver = await startOtlpReceiver();
});

after(async () => {
  for (const p of procs) await p.stop();
  await receiver?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

function spawnAgent(env: Record<string, string>): ManagedProcess {
  const p = startProcess(
    process.execPath,
    ['--import', '@faultline/kit/telemetry-preload', AGENT_MAIN],
    { env: { ...process.env, LOG_LEVEL: 'info', ...env } },
  );
  procs.push(p);
  return p;
}

test('bad configuration: exit 78 naming every bad variable', async () => {
  const p = spawnAgent({
    FAULTLINE_AGENT_LINKS: '[{"name":"Bad!","target":"x"}]',
    FAULTLINE_AGENT_ADMIN_PORT: 'abc',
  });
  const exit = await within(p.exited, 10_000);
  assert.notEqual(exit, 'timeout');
  assert.equal((exit as { code: number }).code, 78);
  const out = p.output();
  assert.match(out, /FAULTLINE_AGENT_LINKS: links\.0\.name/);
  assert.match(out, /FAULTLINE_AGENT_LINKS: links\.0\.target/);
  assert.match(out, /FAULTLINE_AGENT_ADMIN_PORT/);
  assert.match(out, /FAULTLINE_AGENT_TOKEN_FILE: required/);
});

test('token file 0600, info file, a span per fault, and SIGTERM resumes a paused app', async () => {
  const app = startProcess('sleep', ['60']);
  procs.push(app);
  const tokenFile = join(dir, 'agent-0', 'token');
  const infoFile = join(dir, 'agent-0.json');
  const agent = spawnAgent({
    FAULTLINE_AGENT_NAME: 'booking-0',
    FAULTLINE_AGENT_LINKS: JSON.stringify([{ name: 'redis', target: `127.0.0.1:${redis.port}` }]),
    FAULTLINE_AGENT_TOKEN_FILE: tokenFile,
    FAULTLINE_AGENT_INFO_FILE: infoFile,
    FAULTLINE_AGENT_APP_PID: String(app.pid),
    FAULTLINE_AGENT_DRAIN_MS: '0',
    OTEL_SERVICE_NAME: 'faultline-agent',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_TRACES_SAMPLER_ARG: '1',
  });
  const info = await waitFor(
    async () =>
      JSON.parse(await readFile(infoFile, 'utf8')) as {
        adminUrl: string;
        links: { name: string; listen: { port: number } }[];
      },
    `the agent's info file\n${agent.output()}`,
  );
  const mode = (await stat(tokenFile)).mode & 0o777;
  assert.equal(mode.toString(8), '600');
  const token = (await readFile(tokenFile, 'utf8')).trim();
  assert.ok(token.length >= 32);

  const linkPort = info.links.find((l) => l.name === 'redis')!.listen.port;
  assert.ok(linkPort > 0, 'port 0 became a real port');
  const s = await openSocket(linkPort);
  s.write('PING\r\n');
  assert.match(String(await new Promise((r) => s.once('data', r))), /PONG/);
  s.destroy();

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${info.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const latency = (await (
    await call('POST', '/faults', {
      type: 'latency',
      link: 'redis',
      ttlMs: 10_000,
      experiment: 'e1',
      params: { ms: 10 },
    })
  ).json()) as { id: string };
  assert.equal((await call('DELETE', `/faults/${latency.id}`)).status, 200);
  const span = await waitFor(
    () => receiver.spans.find((sp) => sp.name === 'fault latency'),
    'the fault span to be exported',
  );
  assert.equal(span.attributes['faultline.fault.id'], latency.id);
  assert.equal(span.attributes['faultline.fault.target'], 'redis');
  assert.equal(span.attributes['faultline.experiment'], 'e1');
  assert.equal(span.attributes['faultline.fault.end_reason'], 'removed');

  assert.equal((await call('POST', '/faults', { type: 'pause', ttlMs: 60_000 })).status, 201);
  await waitStopped(app.pid);
  agent.child.kill('SIGTERM');
  const exit = await within(agent.exited, 10_000);
  assert.deepEqual(exit, { code: 0, signal: null }, agent.output());
  assert.notEqual(await processState(app.pid), 'T', 'the app runs again after the agent stopped');
});
