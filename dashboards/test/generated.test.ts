/** The committed `generated/` files are exactly what `make dashboards` writes now. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_DIR, generate, listFiles } from '../src/generate.js';
import { renderAll } from '../src/render.js';

test('generated/ equals fresh output (run `make dashboards` after changing a dashboard)', async () => {
  const fresh = await renderAll();
  assert.deepEqual(listFiles(GENERATED_DIR), [...fresh.keys()].sort(), 'the set of files');
  for (const [path, text] of fresh)
    assert.equal(readFileSync(join(GENERATED_DIR, path), 'utf8'), text, `${path} is stale`);
});

test('the generator rewrites a changed file and removes one no dashboard produces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-dashboards-gen-'));
  const fresh = await renderAll();
  await generate(dir);
  writeFileSync(join(dir, 'overview.json'), '{}');
  writeFileSync(join(dir, 'retired.json'), '{}');
  await generate(dir);
  assert.equal(readFileSync(join(dir, 'overview.json'), 'utf8'), fresh.get('overview.json'));
  assert.deepEqual(listFiles(dir), [...fresh.keys()].sort());
});

test('every dashboard has a unique uid, unique panel ids and exemplars on its latency panels', async () => {
  const uids = new Set<string>();
  for (const [name, text] of await renderAll()) {
    if (!name.endsWith('.json')) continue;
    const d = JSON.parse(text) as {
      uid: string;
      panels: {
        id: number;
        type: string;
        fieldConfig?: { defaults?: { unit?: string } };
        title: string;
        targets?: { expr: string; exemplar?: boolean }[];
      }[];
    };
    assert.ok(!uids.has(d.uid), `duplicate uid ${d.uid}`);
    uids.add(d.uid);
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${name}: panel ids repeat`);
    for (const p of d.panels) {
      const httpLatency = p.targets?.some((t) =>
        /histogram_quantile\(.*http_server_request_duration_seconds_bucket/.test(t.expr),
      );
      if (httpLatency)
        assert.ok(
          p.targets!.every((t) => t.exemplar === true),
          `${name} › ${p.title}: no exemplars`,
        );
    }
  }
  assert.equal(uids.size, 7);
});

test('the Prometheus datasource sends exemplar trace ids to the Jaeger datasource', async () => {
  const ds = (await renderAll()).get('provisioning/datasources/faultline.yaml')!;
  assert.match(
    ds,
    /exemplarTraceIdDestinations:\n\s+- name: trace_id\n\s+datasourceUid: faultline-jaeger/,
  );
  assert.match(ds, /type: jaeger\n\s+uid: faultline-jaeger/);
});
