/**
 * Real etcd for tests: one member, or a cluster of N members on free loopback ports
 * (quorum tests kill members and start them again with their data intact).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startProcess, waitFor, type ManagedProcess } from './child-process.js';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly process: ManagedProcess | undefined;
  /** SIGKILL the member (data directory kept). */
  kill(): Promise<void>;
  /** Start it again with the same identity and data. */
  start(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: EtcdMember[];
  /** Client endpoints, e.g. for the etcd3 client's `hosts`. */
  readonly endpoints: string[];
  stop(): Promise<void>;
}

export async function startEtcd(size = 1): Promise<EtcdCluster> {
  const root = await mkdtemp(join(tmpdir(), 'faultline-etcd-'));
  const specs = [];
  for (let i = 0; i < size; i++) {
    specs.push({ name: `etcd-${i}`, clientPort: await freePort(), peerPort: await freePort() });
  }
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const token = `faultline-test-${process.pid}-${Date.now()}`;

  const members: EtcdMember[] = specs.map((s) => {
    let proc: ManagedProcess | undefined;
    const clientUrl = `http://127.0.0.1:${s.clientPort}`;
    const member: EtcdMember = {
      name: s.name,
      clientUrl,
      clientPort: s.clientPort,
      peerPort: s.peerPort,
      get process() {
        return proc;
      },
      async kill() {
        if (!proc) return;
        proc.child.kill('SIGKILL');
        await proc.exited;
        proc = undefined;
      },
      start() {
        proc = startProcess(
          'etcd',
          [
            '--name',
            s.name,
            '--data-dir',
            join(root, s.name),
            '--listen-client-urls',
            clientUrl,
            '--advertise-client-urls',
            clientUrl,
            '--listen-peer-urls',
            `http://127.0.0.1:${s.peerPort}`,
            '--initial-advertise-peer-urls',
            `http://127.0.0.1:${s.peerPort}`,
            '--initial-cluster',
            initialCluster,
            '--initial-cluster-token',
            token,
            '--initial-cluster-state',
            'new',
            '--heartbeat-interval',
            '50',
            '--election-timeout',
            '500',
            '--log-level',
            'error',
          ],
          {
            env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'arm64' ? 'arm64' : '' },
          },
        );
        return Promise.resolve();
      },
    };
    return member;
  });
  await Promise.all(members.map((m) => m.start()));
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async stop() {
      await Promise.all(members.map((m) => m.process?.stop() ?? Promise.resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
  await waitForHealthy(members[0]!, 20_000).catch(async (e: unknown) => {
    const logs = members.map((m) => `${m.name}: ${m.process?.output() ?? ''}`).join('\n');
    await cluster.stop();
    throw new Error(`etcd did not become healthy: ${String(e)}\n${logs}`);
  });
  return cluster;
}

/** Waits until the member answers /health with a leader (a quorum exists). */
export async function waitForHealthy(member: EtcdMember, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${member.clientUrl}/health`);
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    },
    `etcd ${member.name} healthy`,
    timeoutMs,
    100,
  );
}
