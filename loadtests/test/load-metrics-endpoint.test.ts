/**
 * While a run lasts, its /metrics (k6's remote-write names, tags as labels) is announced to
 * Prometheus by a file_sd file in the given directory; the file is gone when the run ends.
 * (Against the playground's real Prometheus the `faultline-load` job scrapes it: see README.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLoad } from '../src/run-load.js';
import { constantScenario, startFixture, type Fixture } from './fixtures.js';

let server: Fixture;
before(async () => {
  server = await startFixture((_q, res) => res.writeHead(200).end('{}'));
});
after(() => server.close());

test('metrics under k6 names, announced through file_sd while the run lasts', async () => {
  const sdDir = mkdtempSync(join(tmpdir(), 'faultline-load-sd-'));
  let scraped = '';
  let sdFile = '';
  let sdTargets: { targets: string[]; labels: Record<string, string> }[] = [];
  const pending: Promise<void>[] = [];
  await runLoad({
    scenario: 'x',
    compiled: constantScenario('leader', 50, '3s'),
    target: server.url,
    metricsPort: 0,
    prometheusSdDir: sdDir,
    progressIntervalMs: 1000,
    onProgress: (p) => {
      if (p.elapsedMs < 1500 || scraped !== '') return;
      const file = readdirSync(sdDir).find((f) => /^load-.*\.json$/.test(f));
      if (!file) return;
      sdFile = join(sdDir, file);
      sdTargets = JSON.parse(readFileSync(sdFile, 'utf8')) as typeof sdTargets;
      pending.push(
        fetch(`http://${sdTargets[0]!.targets[0]}/metrics`)
          .then((r) => r.text())
          .then((t) => void (scraped = t)),
      );
    },
  });
  await Promise.all(pending);
  assert.ok(sdFile, 'a load-*.json file_sd file appeared during the run');
  assert.equal(sdTargets[0]!.labels.load_scenario, 'fixture');
  assert.match(sdTargets[0]!.labels.testid!, /^fixture-/);
  assert.match(
    scraped,
    /k6_http_reqs_total\{scenario="fixture",op="leader",method="GET",route="\/leader",status="200",expected_response="true"\} \d+/,
  );
  assert.match(scraped, /k6_http_req_duration_seconds_bucket\{[^}]*route="\/leader"[^}]*\} \d+/);
  assert.match(
    scraped,
    /k6_http_req_failed_rate\{scenario="fixture",op="leader",method="GET",route="\/leader"\} 0/,
  );
  assert.match(scraped, /k6_dropped_iterations_total\{scenario="fixture"\} 0/);
  assert.match(scraped, /k6_vus_max\{scenario="fixture"\} 500/);
  assert.equal(existsSync(sdFile), false, 'the file_sd file is removed when the run ends');
});
