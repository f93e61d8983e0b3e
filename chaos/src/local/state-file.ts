/**
 * The playground's state on disk (`<stateDir>/state.json`): what `faultline status` and
 * `faultline down` read from any shell, and what scripts parse. Written atomically.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning } from './process-identity.js';

export type Phase = 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped';

export interface PodState {
  name: string;
  service: string;
  labels: Record<string, string>;
  pid: number | undefined;
  /** With `pid`, the process's identity (see process-identity.ts); absent in older files. */
  startTime?: string;
  port: number;
  ready: boolean;
  restarts: number;
  url: string | undefined;
  metricsUrl: string | undefined;
  logFile: string;
  /** The pod's faultline agent, when it has one. */
  agent?: AgentState;
}

export interface AgentState {
  adminUrl: string;
  /** Bearer token for the admin API, in a 0600 file. */
  tokenFile: string;
  links: { name: string; listen: string; target: string; protocol: string; kind: string }[];
}

export interface PlaygroundState {
  phase: Phase;
  /** Why start-up failed, when it did. */
  error?: string;
  supervisorPid: number;
  /** With `supervisorPid`, the supervisor's identity; absent in older files. */
  supervisorStartTime?: string;
  startedAt: string;
  updatedAt: string;
  urls: { gateway: string; gatewayAdmin: string; prometheus: string; jaeger?: string };
  tracing: { on: boolean; endpoint?: string; note: string };
  gatewayAdminToken: string;
  pods: PodState[];
}

export const stateFile = (stateDir: string) => join(stateDir, 'state.json');

export function writeState(stateDir: string, state: PlaygroundState): void {
  const file = stateFile(stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function readState(stateDir: string): PlaygroundState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(stateDir), 'utf8')) as PlaygroundState;
  } catch {
    return undefined;
  }
}

/** Whether the supervisor that wrote `state` still runs (the same process, not just its pid). */
export function supervisorRunning(state: PlaygroundState): boolean {
  return isRunning(state.supervisorPid, state.supervisorStartTime);
}

/** Whether the pod's recorded process still runs (the same process, not just its pid). */
export function podRunning(pod: PodState): boolean {
  return isRunning(pod.pid, pod.startTime);
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
