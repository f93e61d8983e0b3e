/**
 * `faultline up --local`, `down`, `status`: the local platform from the command line.
 * `up` runs the supervisor in the foreground (Ctrl-C stops everything) or, with --detach,
 * in a background process it waits on until everything is ready.
 */
import { randomBytes } from 'node:crypto';
import { openSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan } from '../local/pod-plan.js';
import { loadPlaygroundConfig, type PlaygroundConfig } from '../local/playground-config.js';
import { findJaeger } from '../local/jaeger-binary.js';
import { tracingSetup } from '../local/tracing-setup.js';
import { LocalSupervisor, readyTimeoutFromEnv } from '../local/supervisor.js';
import {
  isAlive,
  podRunning,
  readState,
  supervisorRunning,
  type PlaygroundState,
} from '../local/state-file.js';
import { leftoversOf, reusedPidsOf, stopLeftovers } from '../local/leftovers.js';
import { portHolder, portIsFree } from '../local/preflight.js';
import { fail, progress, table } from './output.js';

/** The repository root (this file is chaos/dist/src/cli/local-commands.js). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

export interface UpOptions {
  config?: string;
  stateDir?: string;
  booking?: number;
  scheduler?: number;
  etcdMembers?: number;
  gatewayPort?: number;
  prometheusPort?: number;
  detach?: boolean;
}

export function resolveConfig(o: UpOptions): PlaygroundConfig {
  try {
    return loadPlaygroundConfig(o.config, {
      stateDir: o.stateDir,
      replicas: { booking: o.booking, scheduler: o.scheduler },
      etcdMembers: o.etcdMembers,
      ports: { gateway: o.gatewayPort, prometheus: o.prometheusPort },
    });
  } catch (e) {
    return fail((e as Error).message, 2);
  }
}

/** The playground's state directory, from --state-dir / --config (or the default). */
export function stateDirOf(o: { stateDir?: string; config?: string }): string {
  return resolve(REPO_ROOT, resolveConfig({ stateDir: o.stateDir, config: o.config }).stateDir);
}

/** Runs the supervisor in this process until a signal; prints the summary once ready. */
export async function upForeground(o: UpOptions, announce = true): Promise<LocalSupervisor> {
  const config = resolveConfig(o);
  const existing = readState(resolve(REPO_ROOT, config.stateDir));
  if (
    existing &&
    supervisorRunning(existing) &&
    existing.supervisorPid !== process.pid &&
    existing.phase !== 'stopped'
  ) {
    fail(
      `a playground is already running (supervisor pid ${existing.supervisorPid}); \`faultline status\` shows it, \`faultline down\` stops it`,
    );
  }
  const t = tracingSetup(config, resolve(REPO_ROOT, config.stateDir), () => findJaeger());
  const plan = buildPlan({
    config,
    root: REPO_ROOT,
    node: process.execPath,
    gatewayAdminToken: randomBytes(16).toString('hex'),
    otlpEndpoint: t.tracing.endpoint,
  });
  if (t.jaeger) plan.pods.unshift(t.jaeger);
  const supervisor = new LocalSupervisor(plan, {
    onProgress: progress,
    readyTimeoutMs: readyTimeoutFromEnv(process.env),
    tracing: t.tracing,
    ...(t.jaegerUrl ? { jaegerUrl: t.jaegerUrl } : {}),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    progress(`${signal}: stopping the playground`);
    supervisor.down().then(
      () => {
        progress('stopped; state and logs kept in ' + plan.stateDir);
        process.exit(0);
      },
      (e: unknown) => fail(`stopping failed: ${String(e)}`),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  progress(`starting the local playground (state in ${plan.stateDir})`);
  progress(t.tracing.note);
  try {
    await supervisor.up();
  } catch (e) {
    progress(`start-up failed:\n${(e as Error).message}`);
    await supervisor.down();
    process.exit(1);
  }
  if (announce) process.stdout.write(`\n${summary(supervisor.snapshot())}\n`);
  return supervisor;
}

export function summary(s: PlaygroundState): string {
  const lines = [
    'faultline local playground is ready.',
    `  gateway      ${s.urls.gateway}   (e.g. curl -X POST ${s.urls.gateway}/bookings -H 'content-type: application/json' -d '{"seatId":"gala-1","userId":"u1"}')`,
    `  prometheus   ${s.urls.prometheus}`,
    ...(s.urls.jaeger ? jaegerLines(s.urls.jaeger) : []),
    `  gateway admin ${s.urls.gatewayAdmin}/admin/backends (Authorization: Bearer <token in state.json>)`,
    `  ${s.tracing.note}`,
    '  metrics:',
    ...s.pods
      .filter((p) => p.metricsUrl && p.labels.tier !== 'infra')
      .map((p) => `    ${p.name.padEnd(12)} ${p.metricsUrl}`),
    '  `faultline status` shows pods; `faultline down` (or Ctrl-C in the foreground) stops everything.',
  ];
  return lines.join('\n');
}

/** The local Jaeger's API URLs: it has no web UI, so say where its data can be read. */
function jaegerLines(api: string): string[] {
  return [
    `  jaeger       ${api}/api/services  (query API; no web UI in this local build)`,
    `               ${api}/api/traces?service=booking&limit=5  ·  faultline traces --service booking --slowest 5`,
  ];
}

/** --detach: start a background supervisor and wait until it reports ready or failed. */
export async function upDetached(o: UpOptions, cliEntry: string): Promise<void> {
  const config = resolveConfig(o);
  const stateDir = resolve(REPO_ROOT, config.stateDir);
  const existing = readState(stateDir);
  if (existing && supervisorRunning(existing) && existing.phase !== 'stopped') {
    fail(
      `a playground is already running (supervisor pid ${existing.supervisorPid}); \`faultline down\` stops it`,
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, 'supervisor.log');
  const out = openSync(logFile, 'w');
  const args = ['--max-semi-space-size=2', cliEntry, 'up', '--local', ...passThrough(o)];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  child.unref();
  let printed = 0;
  const started = Date.now();
  for (;;) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const lines = text.split('\n');
    for (const l of lines.slice(printed, -1)) process.stdout.write(`${l}\n`);
    printed = Math.max(printed, lines.length - 1);
    const state = readState(stateDir);
    if (
      state &&
      state.supervisorPid === child.pid &&
      state.phase === 'ready' &&
      text.includes('is ready.')
    )
      return;
    if (!isAlive(child.pid)) fail(`the supervisor exited during start-up; see ${logFile}`);
    if (Date.now() - started > 180_000) fail(`not ready after 180 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function passThrough(o: UpOptions): string[] {
  const a: string[] = [];
  if (o.config) a.push('--config', o.config);
  if (o.stateDir) a.push('--state-dir', o.stateDir);
  if (o.booking) a.push('--booking', String(o.booking));
  if (o.scheduler) a.push('--scheduler', String(o.scheduler));
  if (o.etcdMembers) a.push('--etcd-members', String(o.etcdMembers));
  if (o.gatewayPort) a.push('--gateway-port', String(o.gatewayPort));
  if (o.prometheusPort) a.push('--prometheus-port', String(o.prometheusPort));
  return a;
}

/**
 * Stops the playground from any shell: SIGTERM to the supervisor (which stops its pods), then
 * whatever a supervisor that died left running, identified by pid and start time so that a
 * reused pid is never signalled.
 */
export async function down(o: { stateDir?: string; config?: string }): Promise<void> {
  const stateDir = stateDirOf(o);
  const state = readState(stateDir);
  if (!state) {
    progress(`nothing to stop (no state in ${stateDir})`);
    return;
  }
  if (supervisorRunning(state) && state.supervisorPid !== process.pid) {
    progress(`stopping the supervisor (pid ${state.supervisorPid})`);
    await stopSupervisor(state);
  } else if (state.phase !== 'stopped') {
    progress(`the supervisor (pid ${state.supervisorPid}) is gone without stopping the playground`);
  }
  const latest = readState(stateDir) ?? state;
  for (const r of reusedPidsOf(latest))
    progress(`pid ${r.pid} (was ${r.name}) is another process now: left alone`);
  const remaining = await stopLeftovers(leftoversOf(latest), progress);
  if (remaining.length > 0)
    fail(`could not stop ${remaining.map((l) => `${l.name} (pid ${l.pid})`).join(', ')}`);
  for (const line of await heldPorts(latest)) progress(line);
  progress(`stopped; state and logs kept in ${stateDir}`);
}

/** SIGTERM, a minute to stop in order, then SIGKILL (its pods die with it). */
async function stopSupervisor(state: PlaygroundState): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(state.supervisorPid, s);
    } catch {
      // gone already
    }
  };
  signal('SIGTERM');
  for (const [waitMs, next] of [
    [60_000, 'SIGKILL'],
    [10_000, undefined],
  ] as const) {
    const deadline = Date.now() + waitMs;
    while (supervisorRunning(state) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    if (!supervisorRunning(state) || !next) return;
    progress(`the supervisor did not stop within ${waitMs / 1000} s: ${next}`);
    signal(next);
  }
}

/** Ports of the playground's pods that something still listens on, each with its holder. */
async function heldPorts(state: PlaygroundState): Promise<string[]> {
  const ports = [
    ...state.pods.map((p) => ({ name: p.name, port: p.port })),
    { name: 'gateway admin', port: Number(new URL(state.urls.gatewayAdmin).port) },
  ];
  const lines: string[] = [];
  for (const { name, port } of ports) {
    if (await portIsFree(port)) continue;
    const holder = portHolder(port);
    lines.push(
      `port ${port} (${name}) is still in use${holder ? ` by ${holder}` : ''}: not a process this playground recorded`,
    );
  }
  return lines;
}

interface LeaderView {
  isLeader?: boolean;
}

export async function status(o: {
  stateDir?: string;
  config?: string;
  json?: boolean;
}): Promise<void> {
  const stateDir = stateDirOf(o);
  const state = readState(stateDir);
  if (!state) fail(`no playground state in ${stateDir}; start one with \`faultline up --local\``);
  const running = supervisorRunning(state) && state.phase !== 'stopped';
  const leftovers = running ? [] : leftoversOf(state);
  const pods = await Promise.all(
    state.pods.map(async (p) => {
      let role = '';
      if (running && p.service === 'scheduler' && p.url && p.ready) {
        const view = (await fetch(`${p.url}/leader`, { signal: AbortSignal.timeout(500) })
          .then((r) => r.json())
          .catch(() => ({}))) as LeaderView;
        role = view.isLeader === true ? 'leader' : view.isLeader === false ? 'follower' : '';
      }
      return { ...p, alive: podRunning(p), role };
    }),
  );
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ ...state, running, leftovers: leftovers.map(({ name, pid }) => ({ name, pid })), pods }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(`${headline(state, running, leftovers)}\n`);
  process.stdout.write(
    `gateway ${state.urls.gateway}  prometheus ${state.urls.prometheus}${state.urls.jaeger ? `  jaeger API ${state.urls.jaeger}/api/traces (no web UI locally; faultline traces)` : ''}\n${state.tracing.note}\n\n`,
  );
  const rows = [['POD', 'READY', 'ROLE', 'RESTARTS', 'PID', 'PORT', 'LABELS']];
  for (const p of pods) {
    rows.push([
      p.name,
      // An orphan runs without its supervisor: no restarts, no agent, no traffic through it.
      p.alive ? (running ? (p.ready ? 'yes' : 'no') : 'orphan') : 'down',
      p.role,
      String(p.restarts),
      p.alive && p.pid ? String(p.pid) : '-',
      String(p.port),
      Object.entries(p.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ]);
  }
  process.stdout.write(`${table(rows)}\n`);
}

/** What `status` found, in words: running, stopped, or a supervisor that died (and what it left). */
function headline(
  state: PlaygroundState,
  running: boolean,
  leftovers: { name: string; pid: number }[],
): string {
  const since = `supervisor pid ${state.supervisorPid}, since ${state.startedAt}`;
  if (running) return `playground: ${state.phase} (${since})`;
  if (state.phase === 'stopped') return `playground: not running (stopped; ${since})`;
  const died = `playground: not running — its supervisor (pid ${state.supervisorPid}) died without stopping it (last phase: ${state.phase})`;
  if (leftovers.length === 0)
    return `${died}\nnone of its processes is left; \`faultline up --local\` starts a new playground`;
  return `${died}\n${leftovers.length} of its processes still run: ${leftovers.map((l) => `${l.name} (pid ${l.pid})`).join(', ')}\n\`faultline down\` stops them; \`faultline up --local\` stops them and starts a new playground`;
}
