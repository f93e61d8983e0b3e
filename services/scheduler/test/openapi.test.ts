// The served OpenAPI document against the code: the routes the app registers and the ones it
// documents are the same, and the paging bounds it shows are the ones `/jobs` enforces. The
// app runs in this process (for its route table) on a real etcd, not elected: nothing to mock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { Etcd3 } from 'etcd3';
import type { Express } from 'express';
import { createLogger } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { startEtcd, waitForHealthy, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import type { OpenApiDocument } from '@faultline/kit/openapi-document';
import { assertDocumentMatchesRoutes } from '@faultline/kit/testing/openapi-drift';
import { createEtcdClient } from '../src/etcd-client.js';
import { FencedJobLog } from '../src/fenced-job-log.js';
import { LeaderElector } from '../src/leader-elector.js';
import { LeaderView } from '../src/leader-view.js';
import { createSchedulerApp } from '../src/scheduler-app.js';
import { createSchedulerMetrics } from '../src/scheduler-metrics.js';

let etcd: EtcdCluster;
let client: Etcd3;
let app: Express;
let server: Server;
let base: string;

before(async () => {
  etcd = await startEtcd(1);
  await waitForHealthy(etcd.members[0]!, 20_000);
  client = createEtcdClient(etcd.endpoints, 2000);
  const logger = createLogger({ service: 'scheduler-test', level: 'silent' });
  const metrics = createMetrics({ runtime: false });
  const schedulerMetrics = createSchedulerMetrics(metrics);
  const elector = new LeaderElector({
    client,
    election: 'openapi',
    instance: 'docs',
    ttlS: 2,
    keepAliveMs: 500,
    marginMs: 200,
    leaseGuard: true,
    logger,
    metrics: schedulerMetrics,
    tracer: trace.getTracer('test'),
    callTimeoutMs: 2000,
  });
  const view = new LeaderView(client, elector.election, {
    logger,
    metrics: schedulerMetrics,
    callTimeoutMs: 2000,
  });
  const jobLog = new FencedJobLog(client, 'openapi');
  const probes = new Probes();
  app = createSchedulerApp({ logger, metrics, probes, instance: 'docs', elector, view, jobLog });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  client?.close();
  await etcd?.stop();
});

test('the document names exactly the routes the app serves', async () => {
  const r = await fetch(`${base}/openapi.json`);
  assert.equal(r.status, 200);
  assertDocumentMatchesRoutes((await r.json()) as OpenApiDocument, app);
});

test('the /jobs bounds in the document are the ones the route enforces', async () => {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
  const params = doc.paths['/jobs']!.get!.parameters!;
  for (const name of ['fromSeq', 'limit']) {
    const max = Number(params.find((p) => p.name === name)!.schema.maximum);
    assert.equal((await fetch(`${base}/jobs?${name}=${max}`)).status, 200, `${name}=${max}`);
    const over = await fetch(`${base}/jobs?${name}=${max + 1}`);
    assert.equal(over.status, 400, `${name}=${max + 1}`);
    const body = (await over.json()) as { details: { path: string }[] };
    assert.deepEqual(
      body.details.map((d) => d.path),
      [name],
    );
  }
});
