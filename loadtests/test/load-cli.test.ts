/**
 * `faultline load` exit codes, through the real CLI: 0 when every SLO threshold holds, 99 when
 * one fails (as k6), 2 for a malformed scenario file with file:line:col on stderr. And
 * `--summary-export` writes k6's shape, where a threshold's boolean is true when it FAILED.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../src/paths.js';
import { startFixture, type Fixture } from './fixtures.js';

const CLI = resolve(packageRoot, '..', 'chaos', 'bin', 'faultline.js');
let healthy: Fixture;
let failing: Fixture;
const dir = mkdtempSync(join(tmpdir(), 'faultline-load-cli-'));

before(async () => {
  healthy = await startFixture((_q, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
  );
  failing = await startFixture((_q, res) => res.writeHead(503).end());
});
after(async () => {
  await healthy.close();
  await failing.close();
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, 'load', ...args, '--state-dir', dir], {
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

test('thresholds hold → exit 0, and --summary-export writes k6 summary JSON', async () => {
  // Scheduler reads only: the gateway availability SLO applies, no latency SLO, so the result
  // depends on the answers alone, not on how fast a busy test machine gives them.
  const scenario = join(dir, 'reads.yaml');
  writeFileSync(
    scenario,
    'name: reads\ndescription: scheduler reads\narrival: { executor: constant-arrival-rate, rate: 50, duration: 2s }\nmaxInFlight: 100\njourney: [{ op: leader, weight: 1 }, { op: jobs, weight: 1 }]\n',
  );
  const file = join(dir, 'ok-summary.json');
  const r = await cli(scenario, '--target', healthy.url, '--quiet', '--summary-export', file);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ http_req_failed\{slo_gateway_availability:true\} 'rate<=0\.005'/);
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    metrics: Record<string, { thresholds?: Record<string, boolean>; count?: number }>;
    root_group: { checks: { name: string }[] };
  };
  assert.equal(s.metrics.http_reqs!.count, 100);
  assert.equal(
    s.metrics['http_req_failed{slo_gateway_availability:true}']!.thresholds!['rate<=0.005'],
    false,
  );
  assert.equal(s.root_group.checks[0]!.name, 'status < 500');
});

test('an SLO threshold fails → exit 99, as k6', async () => {
  const file = join(dir, 'failed-summary.json');
  const r = await cli(
    'steady-mix',
    '--target',
    failing.url,
    '--rate',
    '50',
    '--duration',
    '2s',
    '--quiet',
    '--summary-export',
    file,
  );
  assert.equal(r.code, 99, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /✗ http_req_failed\{slo_booking_availability:true\} 'rate<=0\.005' 100\.000%/,
  );
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    metrics: Record<string, { thresholds?: Record<string, boolean> }>;
  };
  assert.equal(
    s.metrics['http_req_failed{slo_booking_availability:true}']!.thresholds!['rate<=0.005'],
    true,
  );
});

test('a malformed scenario file → exit 2 with file:line:col problems, no load sent', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'name: Bad Name\ndescription: x\narrival:\n  executor: constant-arrival-rate\n  rate: 0\n  duration: 1s\nmaxInFlight: 1\njourney: [{ op: nope, weight: 1 }]\n',
  );
  const before = healthy.requests;
  const r = await cli(bad, '--target', healthy.url, '--quiet');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${bad}:1:7: name: expected lowercase`));
  assert.match(r.stderr, new RegExp(`${bad}:5:9: arrival.rate: 0 is too small`));
  assert.match(r.stderr, new RegExp(`${bad}:8:17: journey.0.op: unknown op "nope"`));
  assert.equal(healthy.requests, before, 'nothing was sent');
});

test('load only goes to loopback', async () => {
  const r = await cli('steady-mix', '--target', 'http://10.1.2.3:8080', '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /loopback/);
});
