/** Real scheduler replicas for integration tests, and helpers to read what they say. */
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEtcd, waitForHealthy, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { JobRecord } from '../src/job-record.js';
import type { LeaderBody } from '../src/scheduler-app.js';

/** The compiled scheduler entry. */
export const SCHEDULER_ENTRY = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface Replica extends NodeService {
  readonly name: string;
}

/** Test defaults: a short TTL so failovers fit in a test, the default tick. */
export const TEST_TTL_S = 2;

export async function startReplica(
  name: string,
  endpoints: string[],
  env: Record<string, string> = {},
): Promise<Replica> {
  const svc = await startNodeService({
    entry: SCHEDULER_ENTRY,
    prefix: 'SCHEDULER',
    env: {
      SCHEDULER_INSTANCE: name,
      SCHEDULER_ETCD_ENDPOINTS: endpoints.join(','),
      SCHEDULER_LEASE_TTL_S: String(TEST_TTL_S),
      SCHEDULER_TICK_MS: '500',
      LOG_LEVEL: 'debug',
      ...env,
    },
    readyTimeoutMs: 20_000,
  });
  return Object.assign(svc, { name });
}

/** An etcd cluster and replicas on it, for a whole test file; `etcd` is set once `before` ran. */
export interface ClusterFixture {
  etcd: EtcdCluster;
  readonly replicas: Replica[];
}

/**
 * Starts an etcd cluster of `etcdMembers` (all healthy) and `replicaCount` replicas on it, for
 * one test (so it depends on no other test's leftovers); `stop` ends them all, also after a
 * failed start.
 */
export async function startCluster(
  etcdMembers: number,
  replicaCount: number,
): Promise<ClusterFixture & { stop: () => Promise<void> }> {
  const etcd = await startEtcd(etcdMembers);
  const replicas: Replica[] = [];
  const stop = async () => {
    await stopAll(replicas);
    await etcd.stop();
  };
  try {
    await Promise.all(etcd.members.map((m) => waitForHealthy(m, 20_000)));
    // One after another: campaign order is start order, which keeps runs comparable.
    for (let i = 0; i < replicaCount; i++) {
      replicas.push(await startReplica(`r${i}`, etcd.endpoints));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { etcd, replicas, stop };
}

/**
 * Registers `before`/`after` hooks in the calling test file: starts an etcd cluster of
 * `etcdMembers` (all healthy) and `replicaCount` replicas on it; stops them all afterwards.
 */
export function useCluster(etcdMembers: number, replicaCount: number): ClusterFixture {
  const fixture = { replicas: [] as Replica[] } as { etcd?: EtcdCluster; replicas: Replica[] };
  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    const started = await startCluster(etcdMembers, replicaCount);
    fixture.etcd = started.etcd;
    fixture.replicas.push(...started.replicas);
    stop = started.stop;
  });
  after(async () => {
    await stop?.();
  });
  return fixture as ClusterFixture;
}

/**
 * Starts replicas `a` and `b` (added to `started`, for the file's cleanup) and waits for the
 * first leader's first record in its term.
 */
export async function startLeaderPair(
  endpoints: string[],
  env: Record<string, string>,
  started: Replica[],
): Promise<{ replicas: Replica[]; old: Replica; other: Replica; term: number }> {
  const replicas = [
    await startReplica('a', endpoints, env),
    await startReplica('b', endpoints, env),
  ];
  started.push(...replicas);
  const { replica: old, term } = await waitForLeader(replicas);
  const other = replicas.find((r) => r !== old)!;
  await waitForRecord(old, (r) => r.term === term, 'the first leader writing');
  return { replicas, old, other, term };
}

export async function leaderOf(r: Replica): Promise<LeaderBody> {
  const res = await fetch(`${r.url}/leader`, { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as LeaderBody;
}

/** Replicas (still running) that say they are the leader. */
export async function actingLeaders(
  replicas: Replica[],
): Promise<{ replica: Replica; body: LeaderBody }[]> {
  const alive = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const bodies = await Promise.all(
    alive.map(async (r) => ({ replica: r, body: await leaderOf(r).catch(() => undefined) })),
  );
  return bodies.filter(
    (b): b is { replica: Replica; body: LeaderBody } => b.body?.isLeader === true,
  );
}

/** Waits for exactly one acting leader (optionally in a term after `afterTerm`). */
export async function waitForLeader(
  replicas: Replica[],
  afterTerm = 0,
  timeoutMs = 15_000,
): Promise<{ replica: Replica; term: number }> {
  return waitFor(
    async () => {
      const leaders = await actingLeaders(replicas);
      const l = leaders[0];
      return leaders.length === 1 && l && (l.body.term ?? 0) > afterTerm
        ? { replica: l.replica, term: l.body.term ?? 0 }
        : undefined;
    },
    `one leader in a term after ${afterTerm}`,
    timeoutMs,
    50,
  );
}

/** The whole job log, read through `r`'s API. */
export async function readJobLog(r: Replica): Promise<JobRecord[]> {
  const all: JobRecord[] = [];
  let from = 1;
  for (let page = 0; page < 100; page++) {
    const res = await fetch(`${r.url}/jobs?fromSeq=${from}&limit=1000`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) throw new Error(`GET /jobs: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { records: JobRecord[]; nextSeq: number };
    all.push(...body.records);
    if (body.records.length < 1000) return all;
    from = body.nextSeq;
  }
  return all;
}

/** Waits until the log has a record with seq > `afterSeq` written in a term > `afterTerm`. */
export async function waitForRecord(
  r: Replica,
  pred: (rec: JobRecord) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<JobRecord> {
  return waitFor(async () => (await readJobLog(r)).find(pred), what, timeoutMs, 100);
}

/** JSON log lines of a replica with the given `msg`. */
export function logLines(r: Replica, msg: string): Record<string, unknown>[] {
  return r
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((l) => l.msg === msg);
}

export async function stopAll(replicas: Replica[]): Promise<void> {
  await Promise.all(replicas.map((r) => r.stop(2000)));
}
