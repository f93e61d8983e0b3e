/**
 * The local playground as a game-day platform: everything from `<stateDir>/state.json`; pod
 * environments from `/proc/<pid>/environ` (the supervisor passes its own environment on, so
 * `BOOKING_FENCING=off faultline up --local` is how a negative control's playground starts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalDriver } from '../local/local-driver.js';
import { isAlive, readState } from '../local/state-file.js';
import type { PlaygroundState } from '../local/state-file.js';
import type { CheckLine } from './journal.js';
import type { GameDayPlatform } from './platform.js';

export class LocalGameDayPlatform implements GameDayPlatform {
  readonly name = 'local';
  readonly driver: LocalDriver;
  readonly prometheusUrl: string;
  readonly gatewayUrl: string;
  readonly redisUrl: string | undefined;
  readonly jaegerUrl: string | undefined;
  readonly scrapeTargetsDir: string;

  constructor(readonly stateDir: string) {
    this.driver = LocalDriver.open(stateDir);
    const s = this.#state();
    this.prometheusUrl = s.urls.prometheus;
    this.gatewayUrl = s.urls.gateway;
    const redis = s.pods.find((p) => p.service === 'redis');
    this.redisUrl = redis ? `redis://127.0.0.1:${redis.port}` : undefined;
    this.jaegerUrl = s.urls.jaeger;
    this.scrapeTargetsDir = join(stateDir, 'prometheus');
  }

  #state(): PlaygroundState {
    const s = readState(this.stateDir);
    if (!s) throw new Error(`cannot read ${this.stateDir}/state.json`);
    return s;
  }

  async ready(): Promise<CheckLine[]> {
    const s = this.#state();
    const at = Date.now();
    const lines: CheckLine[] = [
      {
        name: 'playground running',
        ok: s.phase === 'ready' && isAlive(s.supervisorPid),
        detail: `supervisor pid ${s.supervisorPid}, phase ${s.phase}`,
        at,
      },
    ];
    const notReady = s.pods.filter((p) => !p.ready || !isAlive(p.pid));
    lines.push({
      name: 'every pod ready',
      ok: notReady.length === 0,
      detail:
        notReady.length === 0
          ? `${s.pods.length} pods ready`
          : `not ready: ${notReady.map((p) => p.name).join(', ')}`,
      at,
    });
    return Promise.resolve(lines);
  }

  async podEnvs(service: string): Promise<{ pod: string; env: Record<string, string> }[]> {
    const pods = this.#state().pods.filter((p) => p.service === service && p.pid !== undefined);
    return Promise.all(pods.map(async (p) => ({ pod: p.name, env: await environOf(p.pid!) })));
  }

  podUrls(service: string): Promise<{ pod: string; url: string }[]> {
    return Promise.resolve(
      this.#state()
        .pods.filter((p) => p.service === service && p.url !== undefined)
        .map((p) => ({ pod: p.name, url: p.url! })),
    );
  }
}

async function environOf(pid: number): Promise<Record<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const env: Record<string, string> = {};
  for (const kv of raw.split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}
