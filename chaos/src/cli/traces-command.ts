/**
 * `faultline traces`: the local Jaeger has no web UI, so traces are read in the terminal from
 * its query API. `faultline traces --service booking --slowest 5 --since 5m` lists traces as
 * waterfalls; `faultline traces ID` prints one.
 */
import type { Command } from 'commander';
import { readState } from '../local/state-file.js';
import {
  JaegerClient,
  durationMs,
  isJaegerQueryError,
  traceDurationMicros,
  type Trace,
} from '../traces/jaeger-client.js';
import { renderWaterfall } from '../traces/waterfall.js';
import { stateDirOf } from './local-commands.js';
import { fail } from './output.js';

export interface TracesOptions {
  service: string;
  since: string;
  slowest?: number;
  limit: number;
  minDuration?: string;
  experiment?: string;
  jaegerUrl?: string;
  json?: boolean;
  stateDir?: string;
  config?: string;
}

/** How many traces to search when only the slowest few are wanted (Jaeger cannot sort). */
const SLOWEST_SEARCH_DEPTH = 500;

/** The query API's URL: --jaeger-url, else the running playground's state file. */
function jaegerUrlOf(o: TracesOptions): string {
  if (o.jaegerUrl) return o.jaegerUrl;
  const dir = stateDirOf(o);
  const state = readState(dir);
  if (!state)
    fail(
      `no playground state in ${dir}; start one with \`faultline up --local\`, or pass --jaeger-url`,
    );
  if (!state.urls.jaeger) fail(`this playground has no local Jaeger. ${state.tracing.note}`);
  return state.urls.jaeger;
}

export async function traces(id: string | undefined, o: TracesOptions): Promise<void> {
  const client = new JaegerClient(jaegerUrlOf(o));
  try {
    const found = id ? await one(client, id) : await search(client, o);
    if (o.json) {
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      return;
    }
    if (found.length === 0) {
      process.stdout.write(
        `no traces of ${o.service} in the last ${o.since}${o.minDuration ? ` lasting ${o.minDuration} or more` : ''} (sampling keeps 1 request in 10 by default: tracing.samplingRatio)\n`,
      );
      return;
    }
    process.stdout.write(`${found.map((t) => renderWaterfall(t)).join('\n\n')}\n`);
  } catch (e) {
    if (isJaegerQueryError(e)) fail(e.message);
    throw e;
  }
}

async function one(client: JaegerClient, id: string): Promise<Trace[]> {
  const trace = await client.getTrace(id);
  if (!trace)
    fail(
      `Jaeger has no trace ${id} (not sampled, not yet exported, or evicted from the memory store)`,
    );
  return [trace];
}

async function search(client: JaegerClient, o: TracesOptions): Promise<Trace[]> {
  durationMs(o.since, '--since'); // a bad duration fails here with a sentence, before any query
  const found = await client.findTraces({
    service: o.service,
    since: o.since,
    limit: o.slowest ? SLOWEST_SEARCH_DEPTH : o.limit,
    ...(o.minDuration ? { minDuration: o.minDuration } : {}),
    ...(o.experiment ? { tags: { 'faultline.experiment': o.experiment } } : {}),
  });
  if (!o.slowest) return found;
  return found.sort((a, b) => traceDurationMicros(b) - traceDurationMicros(a)).slice(0, o.slowest);
}

/** Registers `traces` on the program (main.ts). */
export function registerTracesCommand(
  program: Command,
  int: (name: string) => (v: string) => number,
): void {
  program
    .command('traces')
    .argument('[id]', 'a trace id: print that trace')
    .description("show traces from the local Jaeger's query API as terminal waterfalls")
    .option('--service <name>', 'service whose traces to search', 'booking')
    .option('--since <d>', 'how far back to look (e.g. 30s, 5m, 1h)', '15m')
    .option('--slowest <n>', 'the n slowest traces in that window', int('--slowest'))
    .option(
      '--limit <n>',
      'at most this many (most recent first) without --slowest',
      int('--limit'),
      5,
    )
    .option('--min-duration <d>', 'only traces with a span at least this long (e.g. 200ms)')
    .option(
      '--experiment <id>',
      'only traces touched by this chaos experiment (faultline.experiment)',
    )
    .option('--jaeger-url <url>', "Jaeger's query API (default: the running playground's)")
    .option('--json', 'the traces as JSON (flattened spans), for scripts')
    .option('--state-dir <dir>', 'state directory of the playground')
    .option('-c, --config <file>', 'playground config (for its stateDir)')
    .action(traces);
}
