/**
 * One pod of the local platform: a child process with its log file, restarted with
 * exponential back-off when it exits (like kubelet's CrashLoopBackOff, scaled down for a
 * laptop: 0.5 s doubling to 16 s, reset after 10 s of running), and a readiness poller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import type { PodSpec } from './pod-plan.js';
import { dyingWithParent } from './parent-death-signal.js';
import { startTimeOf } from './process-identity.js';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 16_000;
export const BACKOFF_RESET_AFTER_MS = 10_000;
const READY_POLL_MS = 500;

export interface PodStatus {
  name: string;
  pid: number | undefined;
  /** The process's start time (with the pid, its identity: see process-identity.ts). */
  startTime: string | undefined;
  ready: boolean;
  restarts: number;
  /** Set while waiting to restart after an exit. */
  nextRestartAt: number | undefined;
  lastExit: { code: number | null; signal: string | null; at: number } | undefined;
}

/** Events: `spawned` (pid), `ready` (boolean), `exit` ({code, signal}), `restart` (attempt). */
export class PodProcess extends EventEmitter {
  #child: ChildProcess | undefined;
  #childStartTime: string | undefined;
  #ready = false;
  #restarts = 0;
  #crashStreak = 0;
  #startedAt = 0;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #nextRestartAt: number | undefined;
  #lastExit: PodStatus['lastExit'];

  constructor(
    readonly spec: PodSpec,
    readonly logFile: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    super();
  }

  get status(): PodStatus {
    const running = this.#child?.exitCode === null && this.#child.signalCode === null;
    return {
      name: this.spec.name,
      pid: running ? this.#child?.pid : undefined,
      startTime: running ? this.#childStartTime : undefined,
      ready: this.#ready,
      restarts: this.#restarts,
      nextRestartAt: this.#nextRestartAt,
      lastExit: this.#lastExit,
    };
  }

  start(): void {
    this.#stopping = false;
    this.#spawn();
    this.#pollTimer = setInterval(() => void this.#pollReady(), READY_POLL_MS);
    void this.#pollReady();
  }

  #spawn(): void {
    const out = openSync(this.logFile, 'a');
    const env = { ...this.baseEnv, ...this.spec.env };
    // Killed by the kernel when the supervisor dies: no pod outlives it (see the module).
    const launch = dyingWithParent(this.spec.command, this.spec.args, env.PATH);
    const child = spawn(launch.command, launch.args, { env, stdio: ['ignore', out, out] });
    closeSync(out);
    this.#child = child;
    // Read now, before the state file names the pid: spawn returns after the exec succeeded.
    this.#childStartTime = child.pid ? startTimeOf(child.pid) : undefined;
    this.#startedAt = Date.now();
    if (child.pid) this.emit('spawned', child.pid);
    this.#nextRestartAt = undefined;
    child.once('error', (err) => {
      this.#lastExit = { code: -1, signal: null, at: Date.now() };
      this.emit('spawn-error', err);
    });
    child.once('exit', (code, signal) => {
      this.#lastExit = { code, signal, at: Date.now() };
      this.#setReady(false);
      this.emit('exit', { code, signal });
      if (this.#stopping || !this.spec.restart) return;
      const ranFor = Date.now() - this.#startedAt;
      this.#crashStreak = ranFor >= BACKOFF_RESET_AFTER_MS ? 0 : this.#crashStreak + 1;
      const delay = backoffMs(this.#crashStreak);
      this.#nextRestartAt = Date.now() + delay;
      this.#restartTimer = setTimeout(() => {
        if (this.#stopping) return;
        this.#restarts++;
        this.emit('restart', this.#restarts);
        this.#spawn();
      }, delay);
    });
  }

  async #pollReady(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return this.#setReady(false);
    this.#setReady(await probe(this.spec));
  }

  #setReady(ready: boolean): void {
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.emit('ready', ready);
  }

  /** The last `n` lines of the pod's log (for "never became ready" errors). */
  tail(n = 15): string {
    try {
      const size = statSync(this.logFile).size;
      const text = readFileSync(this.logFile, 'utf8').slice(Math.max(0, size - 64 * 1024));
      return text.trimEnd().split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM (after SIGCONT, in case it is paused), SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#pollTimer);
    const child = this.#child;
    this.#setReady(false);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

export function backoffMs(crashStreak: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, crashStreak - 1));
}

/** Ready = the readiness URL answers 2xx within a second, or the port accepts connections. */
export async function probe(spec: PodSpec): Promise<boolean> {
  if (spec.readyUrl) {
    try {
      const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: spec.port });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
