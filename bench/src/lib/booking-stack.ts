/**
 * Booking replicas behind the gateway, started as the local platform starts them: command,
 * arguments and environment come from the local pod plan (chaos/src/local/pod-plan.ts), so the
 * benchmark measures what `faultline up --local` runs. Left out: the per-pod agents (a hop that
 * is the same in every arm and would only dilute a ratio), etcd, the schedulers and Prometheus.
 * The gateway finds the replicas through the same local discovery file the supervisor writes.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PlaygroundConfigSchema } from '@faultline/chaos/local/playground-config';
import { buildPlan, resolveLinkPorts, type PodSpec } from '@faultline/chaos/local/pod-plan';
import { findFreePortBlock } from '@faultline/chaos/local/port-block';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';

/**
 * How the processes are traced. `kit`: the kit's preload, as the playground runs (default
 * sampling, OTLP export). `off`: the same with FAULTLINE_TELEMETRY=off. `otel-auto`: no kit
 * preload; `@opentelemetry/auto-instrumentations-node/register` instead, started the way its
 * README says, exporting traces to the same endpoint. Two parts of `kit`, to tell where its
 * cost lies: `kit-unsampled` (sampling 0: context propagation and instrumentations, no span
 * recorded) and `kit-no-export` (the default sampling, spans recorded but no exporter).
 */
export type TracingMode = 'kit' | 'off' | 'otel-auto' | 'kit-unsampled' | 'kit-no-export';

export interface StackOptions {
  root: string;
  mode: TracingMode;
  redisPort: number;
  /** OTLP/HTTP base URL for the `kit` and `otel-auto` modes. */
  otlpEndpoint: string;
  /** BOOKING_SHOWS for every replica. */
  shows: string;
}

export interface BookingStack {
  /** The gateway's proxy, e.g. `http://127.0.0.1:20040`. */
  readonly url: string;
  readonly processes: number;
  /** Pids by service (`gateway`, `booking`), for CPU accounting. */
  readonly pids: Record<'gateway' | 'booking', number[]>;
  stop(): Promise<void>;
}

const AUTO_REGISTER = '@opentelemetry/auto-instrumentations-node/register';

/** Environment inherited from the caller minus anything that would change how tracing runs. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('OTEL_') && k !== 'FAULTLINE_TELEMETRY' && k !== 'NODE_OPTIONS',
    ),
  );
}

/** The pod's command line and environment for `mode`. */
function launch(pod: PodSpec, o: StackOptions): { args: string[]; env: Record<string, string> } {
  const env = { ...pod.env };
  if (o.mode === 'off') return { args: pod.args, env: { ...env, FAULTLINE_TELEMETRY: 'off' } };
  if (o.mode === 'kit') return { args: pod.args, env };
  if (o.mode === 'kit-unsampled')
    return { args: pod.args, env: { ...env, OTEL_TRACES_SAMPLER_ARG: '0' } };
  if (o.mode === 'kit-no-export')
    return { args: pod.args, env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: '' } };
  // The kit's own instrumentation switches mean something else to the auto-instrumentation
  // (it reads the same variable names): its defaults, as a user gets them.
  delete env.OTEL_NODE_DISABLED_INSTRUMENTATIONS;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const args = pod.args.flatMap((a, i, all) =>
    a === '--import' && all[i + 1] === '@faultline/kit/telemetry-preload'
      ? ['--require', AUTO_REGISTER]
      : a === '@faultline/kit/telemetry-preload' && all[i - 1] === '--import'
        ? []
        : [a],
  );
  return {
    args,
    env: {
      ...env,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpEndpoint,
      // The services serve their RED metrics to Prometheus themselves.
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    },
  };
}

export async function startBookingStack(o: StackOptions): Promise<BookingStack> {
  const stateDir = await mkdtemp(join(tmpdir(), `faultline-bench-${o.mode}-`));
  const config = PlaygroundConfigSchema.parse({ stateDir, ports: await findFreePortBlock() });
  const plan = buildPlan({
    config,
    root: o.root,
    node: process.execPath,
    gatewayAdminToken: 'bench-admin-token',
    otlpEndpoint: o.otlpEndpoint,
  });
  const procs: ManagedProcess[] = [];
  const pids: BookingStack['pids'] = { gateway: [], booking: [] };
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await rm(stateDir, { recursive: true, force: true });
  };
  const start = async (pod: PodSpec) => {
    const { args, env } = launch(pod, o);
    const proc = startProcess(pod.command, args, {
      cwd: o.root,
      env: {
        ...baseEnv(),
        ...resolveLinkPorts(env, { redis: o.redisPort }),
        ...(pod.service === 'booking' ? { BOOKING_SHOWS: o.shows } : {}),
      },
    });
    procs.push(proc);
    if (pod.service === 'gateway' || pod.service === 'booking') pids[pod.service].push(proc.pid);
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
        return (await fetch(pod.readyUrl!)).ok;
      },
      `${pod.name} (${o.mode}) ready`,
      // The auto-instrumentation loads every instrumentation it has before the app starts:
      // on a busy 2-core machine that alone took over 30 s.
      120_000,
      50,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n--- ${pod.name} output ---\n${proc.output()}`);
    });
  };
  try {
    const bookings = plan.pods.filter((p) => p.service === 'booking');
    await Promise.all(bookings.map(start));
    // What the supervisor publishes, minus the agents: the replicas' own ports.
    for (const [service, file] of Object.entries(plan.discoveryFiles)) {
      const endpoints = (service === 'booking' ? bookings : []).map((p) => ({
        host: '127.0.0.1',
        port: p.port,
        ready: true,
        terminating: false,
      }));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify({ endpoints }));
    }
    await start(plan.pods.find((p) => p.service === 'gateway')!);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: plan.urls.gateway, processes: procs.length, pids, stop };
}
