/**
 * Preload: `node --import @faultline/kit/telemetry-preload app.js`. Registers the ESM hook
 * that lets instrumentations patch modules as they are imported, then starts telemetry
 * from OTEL_* variables — all before the app's own code runs. FAULTLINE_TELEMETRY=off
 * skips everything (the benchmark's "off" arm).
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

if (process.env.FAULTLINE_TELEMETRY !== 'off') {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const { startTelemetry, telemetryOptionsFromEnv } = await import('./telemetry.js');
  startTelemetry(telemetryOptionsFromEnv());
  await waitForAllMessagesAcknowledged();
}
