/**
 * A real Kubernetes control plane for tests: Debian's etcd, kube-apiserver and
 * kube-controller-manager (one pinned release, built by scripts/kube-binaries.sh into the
 * per-user cache) on free loopback ports. Authorization is `Node,RBAC` with NodeRestriction, as
 * in a kubeadm cluster; service-account tokens are signed with a key pair made for this run;
 * the test's own identities (admin, the controller manager, the simulated scheduler and
 * kubelet) are static bearer tokens. No scheduler and no kubelet run: kube-node-simulator.ts
 * plays both.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startProcess, waitFor, type ManagedProcess } from './child-process.js';
import { startEtcd, type EtcdCluster } from './etcd-server.js';
import { freePort } from './free-port.js';

const BINARIES_SCRIPT = fileURLToPath(
  new URL('../../../../../scripts/kube-binaries.sh', import.meta.url),
);

/** A bearer-token identity the API server knows from its token file. */
export interface KubeIdentity {
  readonly user: string;
  readonly groups: readonly string[];
  readonly token: string;
}

export interface KubeControlPlane {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** The API server's serving certificate (self-signed for this run): the kubeconfig CA. */
  readonly caFile: string;
  /** The run's directory (certificates, keys, kubeconfigs, etcd data); removed by stop(). */
  readonly dir: string;
  /** The Node the simulated kubelet may register (its identity is system:node:<name>). */
  readonly nodeName: string;
  readonly identities: {
    /** Group system:masters: what `kind` gives you in ~/.kube/config. */
    readonly admin: KubeIdentity;
    /** system:kube-scheduler: binds pods (the simulator's scheduler half). */
    readonly scheduler: KubeIdentity;
    /** system:node:<nodeName>: node and pod status (the simulator's kubelet half). */
    readonly node: KubeIdentity;
  };
  /** The admin kubeconfig file, as `kubectl` or `--kubeconfig` would read it. */
  readonly kubeconfigFile: string;
  /**
   * The API server's audit log (JSON lines, level Metadata) of every request made by a
   * ServiceAccount: what a least-privilege test reads to see which verbs were really used.
   */
  readonly auditLogFile: string;
  /** A client config for any bearer token (a ServiceAccount's, say). */
  kubeConfig(token: string, namespace?: string): KubeConfig;
  /** Writes a kubeconfig file for a bearer token into the run's directory. */
  writeKubeconfig(name: string, token: string, namespace?: string): Promise<string>;
  readonly processes: {
    readonly apiserver: ManagedProcess;
    readonly controllerManager: ManagedProcess;
  };
  /** Milliseconds each component took to come up, in start order (for the kube-harness bench). */
  readonly timings: { etcdMs: number; apiserverMs: number; controllerManagerMs: number };
  /** Stops everything and removes the run's directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The directory holding kube-apiserver and kube-controller-manager: `FAULTLINE_KUBE_BIN`, or
 * what scripts/kube-binaries.sh prints (it builds them the first time, which takes minutes,
 * and fails with how to install Go when Go is missing).
 */
export async function kubeBinDir(): Promise<string> {
  if (process.env.FAULTLINE_KUBE_BIN) return process.env.FAULTLINE_KUBE_BIN;
  try {
    const { stdout } = await promisify(execFile)(BINARIES_SCRIPT, [], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim().split('\n').at(-1) ?? '';
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? String(e);
    throw new Error(
      `the kubernetes tests need kube-apiserver and kube-controller-manager:\n${stderr}`,
    );
  }
}

export async function startKubeControlPlane(): Promise<KubeControlPlane> {
  const bin = await kubeBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'faultline-kube-'));
  const nodeName = 'faultline-node';
  const token = () => randomBytes(24).toString('base64url');
  const identities = {
    admin: { user: 'faultline-admin', groups: ['system:masters'], token: token() },
    scheduler: { user: 'system:kube-scheduler', groups: [], token: token() },
    node: { user: `system:node:${nodeName}`, groups: ['system:nodes'], token: token() },
  };
  // The controller manager runs every controller under its own identity (no per-controller
  // ServiceAccounts), so it gets system:masters, as `--use-service-account-credentials=false`
  // clusters effectively do.
  const kcm = {
    user: 'system:kube-controller-manager',
    groups: ['system:masters'],
    token: token(),
  };
  const tokenCsv = [...Object.values(identities), kcm]
    .map(
      (i, n) => `${i.token},${i.user},uid-${n}${i.groups.length ? `,"${i.groups.join(',')}"` : ''}`,
    )
    .join('\n');
  await writeFile(join(dir, 'tokens.csv'), `${tokenCsv}\n`, { mode: 0o600 });
  // Audit only ServiceAccounts (the identities under test), not the harness or controllers.
  const auditPolicy = [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: [RequestReceived]',
    'rules:',
    '  - level: Metadata',
    '    userGroups: [system:serviceaccounts]',
    '  - level: None',
    '',
  ].join('\n');
  await writeFile(join(dir, 'audit-policy.yaml'), auditPolicy);
  const auditLogFile = join(dir, 'audit.log');
  // Service-account signing keys for this run only.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });

  let etcd: EtcdCluster | undefined;
  let apiserver: ManagedProcess | undefined;
  let controllerManager: ManagedProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await controllerManager?.stop(5000);
    await apiserver?.stop(5000);
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  };

  const timings = { etcdMs: 0, apiserverMs: 0, controllerManagerMs: 0 };
  let t0 = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t0;
    t0 = now;
    return ms;
  };
  try {
    etcd = await startEtcd(1);
    timings.etcdMs = lap();
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const certDir = join(dir, 'apiserver-certs');
    apiserver = startProcess(join(bin, 'kube-apiserver'), [
      `--etcd-servers=${etcd.endpoints.join(',')}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // The `kubernetes` Service's endpoints would be 127.0.0.1, which Endpoints refuse.
      '--endpoint-reconciler-type=none',
      // Flow control makes dozens of objects and goroutines a one-client test never needs.
      '--enable-priority-and-fairness=false',
      `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
      `--audit-log-path=${auditLogFile}`,
      '--profiling=false',
      '--v=0',
    ]);
    const caFile = join(certDir, 'apiserver.crt');
    const adminCa = async () => readFile(caFile);
    await waitFor(
      async () => {
        if (apiserver!.child.exitCode !== null) throw new Error('kube-apiserver exited');
        const r = await httpsGet(`${server}/readyz`, await adminCa(), identities.admin.token);
        return r.status === 200;
      },
      'kube-apiserver /readyz',
      60_000,
      100,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n--- kube-apiserver ---\n${apiserver!.output()}`);
    });

    timings.apiserverMs = lap();
    const kubeconfigText = (tok: string, namespace = 'default') =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: faultline\n  cluster:\n    server: ${server}\n    certificate-authority: ${caFile}`,
        'users:',
        `- name: faultline\n  user:\n    token: ${tok}`,
        'contexts:',
        `- name: faultline\n  context:\n    cluster: faultline\n    user: faultline\n    namespace: ${namespace}`,
        'current-context: faultline',
        '',
      ].join('\n');
    const writeKubeconfig = async (name: string, tok: string, namespace?: string) => {
      const file = join(dir, name);
      await writeFile(file, kubeconfigText(tok, namespace), { mode: 0o600 });
      return file;
    };
    const kubeconfigFile = await writeKubeconfig('admin.kubeconfig', identities.admin.token);
    const kcmKubeconfig = await writeKubeconfig('controller-manager.kubeconfig', kcm.token);

    const kcmPort = await freePort();
    controllerManager = startProcess(join(bin, 'kube-controller-manager'), [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'controller-manager-certs')}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      '--profiling=false',
      '--v=0',
    ]);
    await waitFor(
      async () => {
        if (controllerManager!.child.exitCode !== null)
          throw new Error('kube-controller-manager exited');
        const r = await httpsGet(`https://127.0.0.1:${kcmPort}/healthz`, undefined, undefined);
        return r.status === 200;
      },
      'kube-controller-manager /healthz',
      60_000,
      100,
    ).catch((e: unknown) => {
      throw new Error(
        `${String(e)}\n--- kube-controller-manager ---\n${controllerManager!.output()}`,
      );
    });
    timings.controllerManagerMs = lap();

    const kubeConfig = (tok: string, namespace = 'default') => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfigText(tok, namespace));
      return kc;
    };
    return {
      server,
      caFile,
      dir,
      nodeName,
      identities,
      kubeconfigFile,
      auditLogFile,
      kubeConfig,
      writeKubeconfig,
      processes: { apiserver, controllerManager },
      timings,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** GET over TLS: with `ca` the server is verified; without, it is not (a component's /healthz). */
function httpsGet(
  url: string,
  ca: Buffer | undefined,
  token: string | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        headers: token ? { authorization: `Bearer ${token}` } : {},
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
