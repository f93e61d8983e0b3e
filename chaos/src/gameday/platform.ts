/**
 * What a game day needs from a platform beyond the engine's driver: where the gateway,
 * Prometheus, Redis and Jaeger are, the scheduler replicas' URLs, each pod's environment (to
 * check overrides) and whether the playground is ready. One implementation per platform.
 */
import type { PlatformDriver } from '../engine/platform-driver.js';
import type { CheckLine } from './journal.js';

export interface GameDayPlatform {
  readonly name: string;
  readonly driver: PlatformDriver;
  readonly prometheusUrl: string;
  readonly gatewayUrl: string;
  readonly redisUrl: string | undefined;
  readonly jaegerUrl: string | undefined;
  /** file_sd directory Prometheus watches (load and engine metrics announce themselves there). */
  readonly scrapeTargetsDir: string | undefined;
  /** Where experiment runs are recorded (so `chaos ls` / `chaos stop` see the game day's). */
  readonly stateDir: string | undefined;
  /** Readiness of the platform itself (every pod ready), one line per check. */
  ready(): Promise<CheckLine[]>;
  /** The environment of every pod of `service`. */
  podEnvs(service: string): Promise<{ pod: string; env: Record<string, string> }[]>;
  /** Base URLs of every pod of `service` that has one (its own HTTP API, not the agent's). */
  podUrls(service: string): Promise<{ pod: string; url: string }[]>;
  /** Releases what the platform holds open (a forwarder, connections). */
  close?(): Promise<void>;
}
