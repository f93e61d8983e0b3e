/**
 * The local platform's driver: pods from the supervisor's `<stateDir>/state.json`, faults
 * through each pod's faultline agent (kill and pause too: the agent signals the app; the
 * supervisor restarts a killed one). Locally infrastructure pods (etcd, redis) have no agent:
 * a partition of one is made at every agent link that leads to it, which cuts it off from its
 * clients (etcd's peer traffic does not pass through agents locally; the README says so).
 */
import { processState } from '../agent/app-process.js';
import type { VerificationResult } from '../experiment/status.js';
import type { CandidatePod } from '../experiment/targeting.js';
import { LOCAL_NAMESPACE } from '../experiment/targeting.js';
import { isAlive, readState, supervisorRunning } from './state-file.js';
import type { PlaygroundState, PodState } from './state-file.js';
import { AgentClient } from '../engine/agent-client.js';
import { agentFaultRequest } from '../engine/agent-fault-request.js';
import type { AppliedFault, FaultOrder, PlatformDriver } from '../engine/platform-driver.js';
import {
  fastestRoundTrip,
  injectedStatusShare,
  probeConnection,
  probeProtocolFor,
} from '../engine/probes.js';

type AgentLink = NonNullable<PodState['agent']>['links'][number];

/** How long a killed pod may take to come back with a new pid (back-off starts at 0.5 s). */
const RESTART_WAIT_MS = 20_000;
/** A request through a partitioned link that gets no answer this long counts as hanging. */
const HANG_MS = 1000;

export class LocalDriver implements PlatformDriver {
  readonly platform = 'local';
  readonly defaultNamespace = LOCAL_NAMESPACE;
  readonly prometheusUrl: string | undefined;

  constructor(
    readonly stateDir: string,
    state: PlaygroundState,
  ) {
    this.prometheusUrl = state.urls.prometheus;
  }

  /** A driver for the running playground in `stateDir`, or an error saying how to start one. */
  static open(stateDir: string): LocalDriver {
    const state = readState(stateDir);
    if (!state || !supervisorRunning(state) || state.phase === 'stopped')
      throw new Error(
        `no local playground is running (state dir ${stateDir}); start one with \`faultline up --local --detach\``,
      );
    return new LocalDriver(stateDir, state);
  }

  #state(): PlaygroundState {
    const s = readState(this.stateDir);
    if (!s) throw new Error(`cannot read ${this.stateDir}/state.json`);
    return s;
  }

  #pod(name: string): PodState {
    const pod = this.#state().pods.find((p) => p.name === name);
    if (!pod) throw new Error(`pod ${name} is not in the playground`);
    return pod;
  }

  async listCandidates(scope: { service: string; roles: boolean }): Promise<CandidatePod[]> {
    const state = this.#state();
    return Promise.all(
      state.pods
        .filter((p) => p.service === scope.service)
        .map(async (p) => ({
          name: p.name,
          service: p.service,
          namespace: LOCAL_NAMESPACE,
          labels: p.labels,
          ready: p.ready && isAlive(p.pid),
          ...(p.pid ? { uid: String(p.pid) } : {}),
          ...(scope.roles && p.service === 'scheduler' ? await leaderRole(p) : {}),
        })),
    );
  }

  async apply(order: FaultOrder): Promise<AppliedFault[]> {
    const pod = this.#pod(order.target.name);
    const appliedAt = () => new Date().toISOString();
    const request = (link?: string) =>
      agentFaultRequest(order.fault, {
        ttlMs: order.ttlMs,
        experimentId: order.experimentId,
        seed: order.seed,
        ...(link === undefined ? {} : { link }),
      });
    if (order.fault.type === 'pod-kill') {
      const uid = pod.pid === undefined ? undefined : String(pod.pid);
      if (pod.agent) {
        await client(pod.agent).apply(request());
      } else {
        // No agent (infrastructure): the supervisor is the platform here, SIGKILL is its kill.
        if (!pod.pid || !isAlive(pod.pid)) throw new Error(`${pod.name} is not running`);
        process.kill(pod.pid, 'SIGKILL');
      }
      return [{ pod: pod.name, kind: 'one-shot', ...(uid ? { uid } : {}), appliedAt: appliedAt() }];
    }
    if (order.fault.type === 'pod-pause') {
      if (!pod.agent)
        throw new Error(`${pod.name} has no faultline agent to pause it through (and keep a TTL)`);
      const f = await client(pod.agent).apply(request());
      return [agentRecord(pod, pod, f.id, f.type, undefined, appliedAt(), pod.pid)];
    }
    // Network faults: on the named link, on every link, or at the links that lead to the pod.
    const sites: { holder: PodState; link: AgentLink }[] = [];
    if (pod.agent) {
      const links = pod.agent.links;
      if (order.link !== undefined) {
        const link = links.find((l) => l.name === order.link);
        if (!link)
          throw new Error(
            `${pod.name}'s agent has no link ${order.link}; it has ${links.map((l) => l.name).join(', ')}`,
          );
        sites.push({ holder: pod, link });
      } else {
        for (const link of links) sites.push({ holder: pod, link });
      }
    } else {
      if (order.fault.type !== 'partition' || order.link !== undefined)
        throw new Error(
          `${pod.name} has no faultline agent; locally only a partition (without target.link) can reach it, at its clients' agents`,
        );
      const address = `127.0.0.1:${pod.port}`;
      for (const holder of this.#state().pods)
        for (const link of holder.agent?.links ?? [])
          if (link.target === address) sites.push({ holder, link });
      if (sites.length === 0)
        throw new Error(`no agent link leads to ${pod.name} (${address}): nothing to partition`);
    }
    const applied: AppliedFault[] = [];
    try {
      for (const { holder, link } of sites) {
        const f = await client(holder.agent!).apply(request(link.name));
        applied.push(agentRecord(pod, holder, f.id, f.type, link.name, appliedAt()));
      }
    } catch (e) {
      // All or nothing per target: undo what this call applied before reporting the failure.
      await Promise.allSettled(applied.map((a) => this.recover(a)));
      throw e;
    }
    return applied;
  }

  async renew(applied: AppliedFault, ttlMs: number): Promise<boolean> {
    if (applied.kind !== 'agent') return true;
    return agentFor(applied).renew(applied.faultId!, ttlMs);
  }

  async recover(applied: AppliedFault): Promise<void> {
    if (applied.kind !== 'agent') return;
    await agentFor(applied).remove(applied.faultId!);
  }

  async isActive(applied: AppliedFault): Promise<boolean> {
    if (applied.kind !== 'agent') return false;
    return (await agentFor(applied).list()).some((f) => f.id === applied.faultId);
  }

  async verify(order: FaultOrder, applied: readonly AppliedFault[]): Promise<VerificationResult> {
    const at = () => new Date().toISOString();
    const result = (outcome: VerificationResult['outcome'], observed: string) => ({
      pod: order.target.name,
      outcome,
      observed,
      at: at(),
    });
    const fault = order.fault;
    switch (fault.type) {
      case 'pod-kill': {
        const before = applied[0]?.uid;
        const t0 = Date.now();
        while (Date.now() - t0 < RESTART_WAIT_MS) {
          const pid = this.#pod(order.target.name).pid;
          if (pid !== undefined && String(pid) !== before && isAlive(pid))
            return result(
              'verified',
              `pid ${before ?? '?'} → ${pid}: killed and restarted by the supervisor after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
            );
          await sleep(100);
        }
        return result(
          'not-verified',
          `pid still ${before ?? '?'} after ${RESTART_WAIT_MS / 1000} s`,
        );
      }
      case 'pod-pause': {
        const pid = order.target.uid === undefined ? undefined : Number(order.target.uid);
        if (pid === undefined) return result('unverifiable', 'the pod had no pid');
        // The agent sends SIGSTOP synchronously; the kernel may take a moment to park it.
        let state: string | undefined;
        for (let i = 0; i < 20; i++) {
          state = await processState(pid);
          if (state === 'T') return result('verified', `/proc/${pid}/stat state T (stopped)`);
          await sleep(25);
        }
        return result(
          'not-verified',
          `/proc/${pid}/stat state ${state ?? 'unknown (gone?)'}, not T`,
        );
      }
      case 'latency':
        return combine(
          order.target.name,
          await Promise.all(applied.map((a) => this.#verifyLatency(a, fault))),
        );
      case 'partition':
        return combine(
          order.target.name,
          await Promise.all(applied.map((a) => this.#verifyPartition(a, fault))),
        );
      case 'http-fault': {
        if (fault.abortStatus === undefined)
          return result('unverifiable', 'delay-only http-faults have no check yet');
        const link = this.#link(applied[0]!);
        const method = fault.methods?.[0] ?? 'GET';
        const n = 200;
        const s = await injectedStatusShare(
          `http://${link.listen}${fault.routePrefix}`,
          method,
          fault.abortStatus,
          n,
        );
        const p = fault.percent / 100;
        const share = s.injected / n;
        // Within 4 standard deviations of a binomial draw (or 5 points, for extreme shares):
        // a false "not verified" about once in 15,000 checks.
        const tolerance = Math.max(0.05, 4 * Math.sqrt((p * (1 - p)) / n));
        const observed = `${s.injected} of ${n} ${method} ${fault.routePrefix} requests through ${link.name} answered ${fault.abortStatus} by the agent (${Math.round(share * 100)}%, expected ${fault.percent}% ± ${Math.round(tolerance * 100)}); others: ${JSON.stringify(s.other)}`;
        return result(Math.abs(share - p) <= tolerance ? 'verified' : 'not-verified', observed);
      }
      case 'bandwidth':
        return result('unverifiable', 'no throughput probe for bandwidth faults yet');
    }
  }

  #link(a: AppliedFault): AgentLink {
    const holder = this.#pod(a.agentPod ?? a.pod);
    const link = holder.agent?.links.find((l) => l.name === a.link);
    if (!link) throw new Error(`${holder.name} has no link ${a.link ?? '(none)'}`);
    return link;
  }

  async #verifyLatency(
    a: AppliedFault,
    fault: { latencyMs: number; jitterMs: number; direction: string },
  ): Promise<string | Failed> {
    const link = this.#link(a);
    const protocol = probeProtocolFor(link.name);
    const direct = await fastestRoundTrip(link.target, protocol, 3, 2000);
    const through = await probeConnection(
      link.listen,
      protocol,
      fault.latencyMs * 2 + fault.jitterMs * 2 + 2000,
    );
    if (direct.kind !== 'answered' || through.kind !== 'answered')
      return failed(`${a.agentPod}/${link.name}: probe ${through.kind} (direct ${direct.kind})`);
    const added = through.ms - direct.ms;
    const factor = fault.direction === 'both' ? 2 : 1;
    const least = Math.max(0, fault.latencyMs - fault.jitterMs) * factor;
    const observed = `${protocol === 'redis' ? 'PING' : 'HTTP GET'} through ${a.agentPod}/${link.name} ${through.ms.toFixed(0)} ms vs direct ${direct.ms.toFixed(1)} ms: +${added.toFixed(0)} ms (expected ≥ ${least} ms)`;
    // The injected delay is a lower bound on any round trip through the link, whatever the
    // base round trip is: judge the probe itself, not its difference with a direct probe taken
    // a moment earlier (on a loaded machine the two base round trips differ by milliseconds).
    // 2 ms of slack for timer granularity; a latency of 0 ± jitter cannot be told apart.
    if (least === 0) return failed(observed, 'unverifiable');
    return through.ms >= least - 2 ? observed : failed(observed);
  }

  async #verifyPartition(
    a: AppliedFault,
    fault: { mode: 'soft' | 'hard'; newConnections?: 'refuse' | 'hang' | undefined },
  ): Promise<string | Failed> {
    const link = this.#link(a);
    const protocol = probeProtocolFor(link.name);
    // Negative control: the target itself must answer, or a hang proves nothing.
    const direct = await probeConnection(link.target, protocol, HANG_MS);
    if (direct.kind !== 'answered')
      return failed(`${link.target} itself does not answer (${direct.kind})`, 'unverifiable');
    const o = await probeConnection(link.listen, protocol, HANG_MS);
    const expectHang = fault.mode === 'hard' || fault.newConnections === 'hang';
    const observed = `new connection through ${a.agentPod}/${link.name}: ${o.kind === 'hung' ? `no answer within ${HANG_MS} ms` : `${o.kind} after ${o.ms.toFixed(0)} ms`}`;
    const ok = expectHang ? o.kind === 'hung' : ['refused', 'reset', 'closed'].includes(o.kind);
    return ok ? observed : failed(`${observed} (expected it to ${expectHang ? 'hang' : 'fail'})`);
  }
}

interface Failed {
  failed: string;
  outcome: 'not-verified' | 'unverifiable';
}
const failed = (observed: string, outcome: Failed['outcome'] = 'not-verified'): Failed => ({
  failed: observed,
  outcome,
});

/** One result per target: verified only if every site of the fault was. */
function combine(pod: string, parts: (string | Failed)[]): VerificationResult {
  const bad = parts.filter((p): p is Failed => typeof p !== 'string');
  const observed = parts.map((p) => (typeof p === 'string' ? p : p.failed)).join('; ');
  const outcome =
    bad.length === 0
      ? 'verified'
      : bad.some((b) => b.outcome === 'not-verified')
        ? 'not-verified'
        : 'unverifiable';
  return { pod, outcome, observed, at: new Date().toISOString() };
}

function client(agent: NonNullable<PodState['agent']>): AgentClient {
  return new AgentClient(agent.adminUrl, agent.tokenFile);
}

function agentFor(a: AppliedFault): AgentClient {
  return new AgentClient(a.agentUrl!, a.tokenFile!);
}

function agentRecord(
  target: PodState,
  holder: PodState,
  faultId: string,
  type: string,
  link: string | undefined,
  appliedAt: string,
  pid?: number,
): AppliedFault {
  return {
    pod: target.name,
    kind: 'agent',
    agentUrl: holder.agent!.adminUrl,
    tokenFile: holder.agent!.tokenFile,
    faultId,
    agentPod: holder.name,
    agentFaultType: type,
    ...(link === undefined ? {} : { link }),
    ...(pid === undefined ? {} : { uid: String(pid) }),
    appliedAt,
  };
}

/** The scheduler's own view of its role (`GET /leader` → `{isLeader}`), resolved now. */
async function leaderRole(p: PodState): Promise<{ role?: 'leader' | 'follower' }> {
  if (!p.url || !p.ready) return {};
  try {
    const res = await fetch(`${p.url}/leader`, { signal: AbortSignal.timeout(1000) });
    const view = (await res.json()) as { isLeader?: boolean };
    if (view.isLeader === true) return { role: 'leader' };
    if (view.isLeader === false) return { role: 'follower' };
  } catch {
    // not answering: no role
  }
  return {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
