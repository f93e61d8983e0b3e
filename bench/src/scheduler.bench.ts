/**
 * Scheduler failover: three real scheduler replicas on a real etcd (TTL 3 s, the default).
 * SIGKILL the leader → time until a follower's GET /leader says it leads (bounded by the
 * lease TTL: budget p95 <= TTL + 1 s). SIGTERM the leader → the same (it resigns, so the
 * handover needs no TTL: budget p95 <= 500 ms). Repeated trials; p50/p95 reported.
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { percentile, type BenchResult, type Benchmark } from './lib/report.js';

const ENTRY = fileURLToPath(
  new URL('../../../services/scheduler/dist/src/main.js', import.meta.url),
);
const TTL_S = 3;
const TRIALS = Number(process.env.SCHEDULER_BENCH_TRIALS ?? 8);

interface LeaderBody {
  leader: string | null;
  term: number | null;
  isLeader: boolean;
}

async function leaderOf(svc: NodeService): Promise<LeaderBody | undefined> {
  try {
    return (await (
      await fetch(`${svc.url}/leader`, { signal: AbortSignal.timeout(1000) })
    ).json()) as LeaderBody;
  } catch {
    return undefined;
  }
}

let counter = 0;
async function startReplica(etcd: EtcdCluster): Promise<NodeService> {
  return startNodeService({
    entry: ENTRY,
    prefix: 'SCHEDULER',
    env: {
      SCHEDULER_INSTANCE: `bench-${counter++}`,
      SCHEDULER_ETCD_ENDPOINTS: etcd.endpoints.join(','),
      SCHEDULER_LEASE_TTL_S: String(TTL_S),
      LOG_LEVEL: 'warn',
    },
    readyTimeoutMs: 20_000,
  });
}

/** The one replica that says it leads (waits until there is exactly one). */
async function currentLeader(replicas: NodeService[]): Promise<{ svc: NodeService; term: number }> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const bodies = await Promise.all(replicas.map(leaderOf));
    const leaders = replicas.filter((_, i) => bodies[i]?.isLeader);
    if (leaders.length === 1)
      return { svc: leaders[0]!, term: bodies[replicas.indexOf(leaders[0]!)]!.term ?? 0 };
    await sleep(20);
  }
  throw new Error('no single leader within 20 s');
}

/** Signals the leader, then polls the followers' GET /leader every 5 ms until one leads. */
async function failoverMs(
  replicas: NodeService[],
  signal: NodeJS.Signals,
): Promise<{ ms: number; killed: NodeService }> {
  const { svc: old, term } = await currentLeader(replicas);
  const followers = replicas.filter((r) => r !== old);
  const start = performance.now();
  old.child.kill(signal);
  const deadline = start + 30_000;
  while (performance.now() < deadline) {
    const bodies = await Promise.all(followers.map(leaderOf));
    if (bodies.some((b) => b?.isLeader && (b.term ?? 0) > term)) {
      const ms = performance.now() - start;
      await old.exited;
      return { ms, killed: old };
    }
    await sleep(5);
  }
  throw new Error(`no new leader within 30 s after ${signal}`);
}

const bench: Benchmark = {
  name: 'scheduler',
  description: 'leader failover as seen by followers: SIGKILL (lease expiry) and SIGTERM (resign)',
  async run(): Promise<BenchResult> {
    const etcd = await startEtcd(1);
    let replicas: NodeService[] = [];
    try {
      replicas = [await startReplica(etcd), await startReplica(etcd), await startReplica(etcd)];
      const trial = async (signal: NodeJS.Signals) => {
        const out: number[] = [];
        for (let i = 0; i < TRIALS; i++) {
          const { ms, killed } = await failoverMs(replicas, signal);
          out.push(ms);
          replicas = replicas.filter((r) => r !== killed);
          replicas.push(await startReplica(etcd)); // back to three, like a restarting pod
          await sleep(500);
        }
        return out;
      };
      const kill = await trial('SIGKILL');
      const term = await trial('SIGTERM');
      const budgetKill = TTL_S * 1000 + 1000;
      return {
        name: 'scheduler',
        figures: {
          'SIGKILL → new leader p50 (ms)': percentile(kill, 50),
          'SIGKILL → new leader p95 (ms)': percentile(kill, 95),
          'SIGKILL → new leader max (ms)': Math.max(...kill),
          'SIGTERM → new leader p50 (ms)': percentile(term, 50),
          'SIGTERM → new leader p95 (ms)': percentile(term, 95),
          'SIGTERM → new leader max (ms)': Math.max(...term),
        },
        budgets: [
          {
            name: 'SIGKILL failover p95',
            value: percentile(kill, 95),
            op: '<=',
            limit: budgetKill,
            unit: ' ms',
            peer: 'lease TTL + 1 s (absolute)',
          },
          {
            name: 'SIGTERM handover p95',
            value: percentile(term, 95),
            op: '<=',
            limit: 500,
            unit: ' ms',
            peer: 'absolute bound',
          },
        ],
        notes: [
          `3 replicas, 1 etcd member (heartbeat 50 ms), lease TTL ${TTL_S} s, keep-alive TTL/3, tick 1 s`,
          `${TRIALS} trials per signal; the killed replica is replaced before the next trial`,
          'measured from the signal to the first follower GET /leader answering isLeader=true in a later term (polled every 5 ms)',
        ],
      };
    } finally {
      await Promise.all(replicas.map((r) => r.stop(2000)));
      await etcd.stop();
    }
  },
};

export default bench;
