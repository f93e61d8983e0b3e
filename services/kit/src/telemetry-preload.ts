/**
 * Preload: `node --import @faultline/kit/telemetry-preload app.js`. Starts telemetry from
 * OTEL_* variables before the app's own code runs. FAULTLINE_TELEMETRY=off skips everything
 * (the benchmark's "off" arm).
 *
 * The instrumented libraries (node:http, ioredis, @grpc/grpc-js) are CommonJS, and an ESM
 * `import` of a CommonJS package shares the one instance in the require cache; so instead of
 * an ESM loader hook (import-in-the-middle), which routes every module load of the process
 * through a loader thread (~400 ms of start-up here), the preload `require`s them once while
 * the require hooks are in place. fetch (undici) is traced through diagnostics channels.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

if (process.env.FAULTLINE_TELEMETRY !== 'off') {
  const { startTelemetry, telemetryOptionsFromEnv } = await import('./telemetry.js');
  const { instrumentOnlyWhenRecording } = await import('./spans-when-recording.js');
  const options = telemetryOptionsFromEnv();
  startTelemetry(options);
  // Resolve from the app's directory, so we patch the copy the app will load.
  const entry = process.argv[1];
  const require = createRequire(entry ? pathToFileURL(entry) : import.meta.url);
  const load = (id: string): unknown => {
    try {
      return require(id);
    } catch {
      return undefined; // Not installed for this app: nothing to instrument.
    }
  };
  for (const id of ['node:http', 'node:https', '@grpc/grpc-js']) load(id);
  const ioredis = load('ioredis') as { prototype?: object } | undefined;
  // Unsampled requests skip the ioredis instrumentation's per-command work (see the file).
  if (ioredis?.prototype) instrumentOnlyWhenRecording(ioredis.prototype, 'sendCommand');
  syncBuiltinESMExports(); // named ESM imports of node:http see the patched functions
}
