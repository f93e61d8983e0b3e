/**
 * `make up` past its preflight, as far as it runs without Docker: `faultline up --platform kind`
 * with stand-ins for the two commands that need a Docker engine (`docker`, `kind`: small scripts
 * that record their arguments and answer as the real ones do), and everything else real — the
 * real helm v3.22.0 running `upgrade --install --wait` against the test control plane
 * (kube-apiserver + kube-controller-manager; the simulated node reports pods Ready, a default
 * StorageClass with pre-made volumes plays kind's local-path provisioner), the progress read
 * from the API, the summary from the release's Secret. Run twice, the second is an upgrade
 * that recreates nothing; `status --platform kubernetes` lists the pods; `down` deletes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { freePort } from '@faultline/kit/testing/free-port';
import { HELM_VERSION, toolCache } from '../src/cli/kind-pins.js';
import { kubeConfigFor } from '../src/cli/kind-up.js';
import { agentTokenFromSecret } from '../src/cli/kubernetes-platform.js';
import { REPO } from './chart-image.js';
import { helm } from './chart-render.js';

const CLI = join(REPO, 'chaos', 'bin', 'faultline.js');
const NS = 'faultline';

let cluster: KubernetesCluster;
let dir: string;
let env: NodeJS.ProcessEnv;
let ports: { gateway: number; grafana: number; jaeger: number; prometheus: number };

// Records every call, answers as kind v0.33.0 does for the calls make up makes.
const KIND = `#!/usr/bin/env bash
echo "kind $*" >> "$STANDIN_DIR/calls"
case "$1 $2" in
  "version "*) echo "kind v0.33.0 go1.26.8 linux/amd64" ;;
  "get clusters") cat "$STANDIN_DIR/clusters" 2>/dev/null || echo "No kind clusters found." >&2 ;;
  "create cluster") echo "Creating cluster \\"$4\\" ..." >&2; echo " ✓ Preparing nodes" >&2; echo "$4" >> "$STANDIN_DIR/clusters" ;;
  "export kubeconfig") cp "$STANDIN_DIR/kubeconfig" "$KUBECONFIG"; echo "Set kubectl context to \\"kind-faultline\\"" >&2 ;;
  "load image-archive") test -s "$3" || { echo "ERROR: no archive $3" >&2; exit 1; } ;;
  "delete cluster") echo "Deleting cluster \\"$4\\" ..." >&2; : > "$STANDIN_DIR/clusters" ;;
  *) echo "stand-in kind: unexpected $*" >&2; exit 1 ;;
esac
`;
// Records every call; an engine with 8 GiB; build prints steps, save writes the archive.
const DOCKER = `#!/usr/bin/env bash
echo "docker $*" >> "$STANDIN_DIR/calls"
case "$1" in
  info) echo 8589934592 ;;
  build) echo "#1 [build 1/9] FROM node:24-slim"; echo "#9 naming to docker.io/library/$3 done" ;;
  save) echo "image $2" > "$4" ;;
  *) echo "stand-in docker: unexpected $*" >&2; exit 1 ;;
esac
`;

function runCli(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const calls = async () =>
  (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function podUids(): Promise<Map<string, string>> {
  const pods = await cluster.admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS });
  return new Map(pods.items.map((p) => [p.metadata!.name!, p.metadata!.uid!]));
}

before(async () => {
  await helm(); // built once into the per-user cache when missing
  [cluster, dir] = await Promise.all([
    startKubernetes(),
    mkdtemp(join(tmpdir(), 'faultline-kind-up-')),
  ]);
  await writeFile(join(dir, 'kind'), KIND, { mode: 0o755 });
  await mkdir(join(dir, 'tool-cache'));
  await symlink(
    join(toolCache(), `helm-${HELM_VERSION}`),
    join(dir, 'tool-cache', `helm-${HELM_VERSION}`),
  );
  await writeFile(join(dir, 'docker'), DOCKER, { mode: 0o755 });

  // The context kind would write, pointing at the test control plane.
  const admin = cluster.admin;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...admin.getCurrentCluster()!, name: 'kind-faultline' }],
    users: [{ ...admin.getCurrentUser()!, name: 'kind-faultline' }],
    contexts: [{ name: 'kind-faultline', cluster: 'kind-faultline', user: 'kind-faultline' }],
    currentContext: 'kind-faultline',
  });
  await writeFile(join(dir, 'kubeconfig'), kc.exportConfig());

  // The repo's cluster config with free host ports (the preflight checks them).
  ports = {
    gateway: await freePort(),
    grafana: await freePort(),
    jaeger: await freePort(),
    prometheus: await freePort(),
  };
  const config = (await readFile(join(REPO, 'charts', 'kind', 'cluster.yaml'), 'utf8'))
    .replace('hostPort: 8080', `hostPort: ${ports.gateway}`)
    .replace('hostPort: 3000', `hostPort: ${ports.grafana}`)
    .replace('hostPort: 16686', `hostPort: ${ports.jaeger}`)
    .replace('hostPort: 9090', `hostPort: ${ports.prometheus}`);
  await writeFile(join(dir, 'cluster.yaml'), config);

  // kind's default StorageClass, and the volumes its provisioner would make for etcd.
  const storage = admin.makeApiClient(StorageV1Api);
  await storage.createStorageClass({
    body: {
      metadata: {
        name: 'standard',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'Immediate',
    },
  });
  const core = admin.makeApiClient(CoreV1Api);
  for (let i = 0; i < 3; i++)
    await core.createPersistentVolume({
      body: {
        metadata: { name: `local-${i}` },
        spec: {
          storageClassName: 'standard',
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: join(dir, `volume-${i}`) },
        },
      },
    });

  env = {
    PATH: `${dir}:${process.env.PATH ?? ''}`,
    HOME: dir,
    KUBECONFIG: join(dir, 'home-kubeconfig'),
    STANDIN_DIR: dir,
    FAULTLINE_KIND_CONFIG: join(dir, 'cluster.yaml'),
    // A tool cache holding only the real helm: a real kind built into the user's cache would
    // otherwise win over the stand-in on PATH. helm's own cache and config go under HOME=dir.
    FAULTLINE_CACHE: join(dir, 'tool-cache'),
  };
});

after(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let firstUids: Map<string, string>;
let firstTag: string;

test('make up: cluster created, image built and loaded, release installed with --wait and progress, URLs printed', async () => {
  const r = await runCli(['up', '--platform', 'kind']);
  assert.equal(r.code, 0, `exit code\n${r.out}\n${r.err}`);

  const sha = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).trim();
  const image = new RegExp(`^faultline:0\\.1\\.0-${sha}(-dirty)?$`);
  const log = await calls();
  const create = log.filter((c) => c.startsWith('kind create cluster'));
  assert.deepEqual(create, [
    `kind create cluster --name faultline --config ${join(dir, 'cluster.yaml')} --wait 120s`,
  ]);
  const build = log.find((c) => c.startsWith('docker build'));
  assert.ok(build, `docker build was called: ${log.join(' | ')}`);
  const tag = build.split(' ')[3]!;
  assert.match(tag, image);
  assert.ok(log.some((c) => c.startsWith(`docker save ${tag} -o `)));
  assert.ok(
    log.some((c) => /^kind load image-archive \S+faultline\.tar --name faultline$/.test(c)),
  );

  // The release, for real, in the control plane: every workload ready, on the built image.
  const apps = cluster.admin.makeApiClient(AppsV1Api);
  const deployments = (await apps.listNamespacedDeployment({ namespace: NS })).items;
  const statefulSets = (await apps.listNamespacedStatefulSet({ namespace: NS })).items;
  assert.ok(
    deployments.length >= 5,
    `deployments: ${deployments.map((d) => d.metadata?.name).join(', ')}`,
  );
  for (const w of [...deployments, ...statefulSets])
    assert.equal(w.status?.readyReplicas ?? 0, w.spec?.replicas ?? 1, `${w.metadata?.name} ready`);
  const booking = statefulSets.find((d) => d.metadata?.name === 'booking');
  assert.equal(booking?.spec?.template.spec?.containers[0]?.image, tag);

  // Progress came from the API while helm waited; the summary names the URLs and the login.
  // What it shows depends on how fast the simulated node is; progressLine's own test pins it.
  assert.match(r.out, /wait \| (no pods yet|\d+\/\d+ pods ready)/);
  assert.match(
    r.out,
    /faultline is up on kind cluster faultline \(context kind-faultline, namespace faultline, release revision 1/,
  );
  const secret = await cluster.admin
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ name: 'faultline-grafana', namespace: NS });
  const password = Buffer.from(secret.data!['admin-password']!, 'base64').toString();
  assert.ok(
    r.out.includes(`Grafana     http://127.0.0.1:${ports.grafana}   login admin / ${password}`),
    r.out,
  );
  assert.ok(r.out.includes(`gateway     http://127.0.0.1:${ports.gateway}`));
  assert.ok(r.out.includes(`Jaeger      http://127.0.0.1:${ports.jaeger}`));
  assert.ok(r.out.includes(`Prometheus  http://127.0.0.1:${ports.prometheus}`));
  firstUids = await podUids();
  firstTag = tag.slice('faultline:'.length);
});

test('make up again: an upgrade of the same release; no cluster created, no pod recreated', async () => {
  assert.ok(firstUids, 'needs the first make up');
  const before = (await calls()).length;
  // The same image as the first run (commits landing meanwhile would change the git sha).
  const r = await runCli(['up', '--platform', 'kind'], { FAULTLINE_IMAGE_TAG: firstTag });
  assert.equal(r.code, 0, `exit code\n${r.out}\n${r.err}`);
  const log = (await calls()).slice(before);
  assert.equal(log.filter((c) => c.startsWith('kind create')).length, 0, log.join(' | '));
  assert.deepEqual(
    log.filter((c) => c === 'kind get clusters'),
    ['kind get clusters'],
    'kind is asked once whether the cluster exists',
  );
  assert.match(r.out, /held by the existing kind cluster faultline/);
  assert.match(r.out, /kind cluster faultline exists, kept/);
  assert.match(r.out, /release revision 2/);
  assert.deepEqual(await podUids(), firstUids);
});

test('status --platform kubernetes lists the release pods with readiness and restarts', async (t) => {
  const r = await runCli(['status', '--platform', 'kubernetes']);
  t.diagnostic(r.out);
  assert.equal(r.code, 0, `exit code\n${r.out}\n${r.err}`);
  assert.match(r.out, /^context kind-faultline, namespace faultline$/m);
  const lines = r.out.split('\n');
  assert.match(lines[1]!, /^NAME\s+SERVICE\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+ROLE$/);
  for (const name of (await podUids()).keys()) {
    const line = lines.find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} listed`);
    assert.match(line, /\s(\d+)\/\1\s+Running\s+0\s/, `${name} ready and running: ${line}`);
  }
  const json = await runCli(['status', '--platform', 'kubernetes', '--json']);
  const rows = (JSON.parse(json.out) as { pods: { service: string }[] }).pods;
  assert.equal(rows.filter((p) => p.service === 'booking').length, 3);
});

test('chaos run --platform kubernetes needs no flag on the kind cluster: its context, its namespace, the agent token from the chart', async () => {
  const file = join(REPO, 'chaos', 'examples', 'kill-booking-replica.yaml');
  // The kubeconfig's current context points elsewhere (a closed port): kind-faultline wins.
  const kc = new KubeConfig();
  kc.loadFromFile(join(dir, 'home-kubeconfig'));
  kc.addCluster({
    name: 'elsewhere',
    server: `https://127.0.0.1:${await freePort()}`,
    skipTLSVerify: true,
  });
  kc.addContext({ name: 'elsewhere', cluster: 'elsewhere', user: 'kind-faultline' });
  kc.setCurrentContext('elsewhere');
  await writeFile(join(dir, 'home-kubeconfig'), kc.exportConfig());
  const before = new Set((await podUids()).values());

  const r = await runCli([
    'chaos',
    'run',
    file,
    '--platform',
    'kubernetes',
    '--duration',
    '2s',
    '--state-dir',
    join(dir, 'state'),
  ]);
  assert.equal(r.code, 0, `exit code\n${r.out}\n${r.err}`);
  assert.match(r.out + r.err, /kubernetes: context kind-faultline, namespace faultline/);
  assert.match(r.out, /fault pod-kill on booking-\S+ \(kubernetes\)/);
  const after = new Set((await podUids()).values());
  assert.equal([...before].filter((uid) => !after.has(uid)).length, 1, 'exactly one pod replaced');

  // The token the driver would send to agents: the chart's Secret, in a private file.
  const tokenFile = await agentTokenFromSecret(kubeConfigFor(env, 'kind-faultline'), NS);
  assert.ok(tokenFile);
  const secret = await cluster.admin
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ name: 'faultline-agent-token', namespace: NS });
  assert.equal(
    await readFile(tokenFile, 'utf8'),
    Buffer.from(secret.data!.token!, 'base64').toString(),
  );
  assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
});

test('make down deletes the cluster; a second make down has nothing to delete', async () => {
  const r = await runCli(['down', '--platform', 'kind']);
  assert.equal(r.code, 0, `exit code\n${r.out}\n${r.err}`);
  assert.match(r.out, /deleted kind cluster faultline/);
  assert.ok((await calls()).includes('kind delete cluster --name faultline'));
  const again = await runCli(['down', '--platform', 'kind']);
  assert.equal(again.code, 0);
  assert.match(again.out, /no kind cluster faultline: nothing to delete/);
});
