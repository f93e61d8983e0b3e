/**
 * `faultline up --platform kind` (make up) on a machine without a Docker engine stops at the
 * preflight with the missing piece named, exit 1, and nothing created; doctor's host-port check
 * names a taken port and how to change it; the kind config's mappings are what the chart serves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDocker, checkHostPorts } from '../src/cli/doctor-kind.js';
import { hostPortMappings } from '../src/cli/kind-pins.js';
import { REPO } from './chart-image.js';
import { renderChart } from './chart-render.js';

const CLI = join(REPO, 'chaos', 'bin', 'faultline.js');

test('make up without Docker stops at the preflight, names Docker, exits 1, creates nothing', async () => {
  // A PATH with node only: no docker, no kind, whatever this machine has.
  const bin = await mkdtemp(join(tmpdir(), 'faultline-nodocker-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'up', '--platform', 'kind'], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env.HOME ?? '/root', FAULTLINE_CACHE: bin },
      timeout: 60_000,
    });
    assert.equal(r.status, 1, `exit code (output: ${r.stdout}${r.stderr})`);
    assert.match(r.stdout, /FAIL {2}Docker engine: `docker` is not on PATH: install Docker Engine/);
    assert.match(r.stdout, /FAIL {2}kind v0\.33\.0: not installed/);
    assert.match(r.stderr, /stopped at the preflight; nothing was created/);
    assert.doesNotMatch(r.stderr, /kind create cluster/, 'no step past the preflight');
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('a docker that cannot reach its engine is named as such', async () => {
  const bin = await mkdtemp(join(tmpdir(), 'faultline-fakedocker-'));
  try {
    // A real executable that fails like docker does without a daemon.
    await writeFile(
      join(bin, 'docker'),
      '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const c = checkDocker(`${bin}:/usr/bin:/bin`);
    assert.equal(c.ok, false);
    assert.match(
      c.detail,
      /`docker info` failed \(Cannot connect to the Docker daemon.*start the engine/,
    );
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('a taken host port is named with the file to change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-kindcfg-'));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const config = join(dir, 'cluster.yaml');
    await writeFile(
      config,
      `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraPortMappings:\n      # Grafana: Service grafana, nodePort 30030\n      - { containerPort: 30030, hostPort: ${port}, listenAddress: 127.0.0.1 }\n`,
    );
    const [c] = await checkHostPorts(config);
    assert.equal(c!.ok, false);
    assert.equal(c!.what, `host port 127.0.0.1:${port} (Grafana)`);
    assert.match(
      c!.detail,
      new RegExp(`port is already allocated.*change hostPort ${port} in ${config}`),
    );
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the kind config publishes the chart's NodePorts on 127.0.0.1 and pins the node image by digest", async () => {
  const mappings = hostPortMappings();
  const objects = await renderChart(
    join(REPO, 'charts', 'faultline'),
    join(REPO, 'charts', 'faultline', 'ci', 'defaults-values.yaml'),
  );
  const nodePorts = new Map<number, string>();
  for (const o of objects.filter((x) => x.kind === 'Service'))
    for (const p of (o.spec as { ports: { nodePort?: number }[] }).ports)
      if (p.nodePort) nodePorts.set(p.nodePort, o.metadata.name);
  assert.deepEqual(
    mappings.map((m) => m.containerPort).sort(),
    [...nodePorts.keys()].sort(),
    'one mapping per NodePort of the chart',
  );
  for (const m of mappings) {
    assert.equal(m.listenAddress, '127.0.0.1');
    assert.notEqual(m.what, '?', `mapping ${m.containerPort} says what it serves`);
  }
  const { readFileSync } = await import('node:fs');
  assert.match(
    readFileSync(join(REPO, 'charts', 'kind', 'cluster.yaml'), 'utf8'),
    /image: kindest\/node:v[0-9.]+@sha256:[0-9a-f]{64}\n/,
  );
});
