/**
 * The telemetry the preload started, if any, kept apart from telemetry.ts: shutdown flushes it
 * and server tracing reads its sampling ratio, and neither should load the OpenTelemetry SDK
 * into a process that runs with telemetry off (importing telemetry.js takes ~200 ms here).
 * Held on globalThis so every copy of the kit in a process sees the same one.
 */
import type { Telemetry } from './telemetry.js';

const KEY = Symbol.for('faultline.telemetry');
type Holder = Record<symbol, Telemetry | undefined>;

export function currentTelemetry(): Telemetry | undefined {
  return (globalThis as Holder)[KEY];
}

/** Called by startTelemetry, and with undefined once it has shut down. */
export function setCurrentTelemetry(telemetry: Telemetry | undefined): void {
  (globalThis as Holder)[KEY] = telemetry;
}
