/**
 * wrk Lua scripts for requests that must each do real work, and a tally of the status codes
 * every answer had (wrk itself only counts "non-2xx or 3xx"): a run that turned into cheap
 * 409s or 404s would flatter a throughput figure, so the counts go into the report.
 */
import { writeFile } from 'node:fs/promises';
import { runTool } from './run-tool.js';
import { parseWrk, type WrkResult } from './wrk.js';

/** Counts every answer's status in the thread, and prints `status <code> <count>` at the end. */
const TALLY = `
statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function()
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      io.write(string.format("status %d %d\\n", code, count))
    end
  end
end
`;

/**
 * A random pause of 0..2×`paceMs` (mean `paceMs`) between a connection's requests. With a fixed
 * pause the connections travel as a train: they start together, the server answers them one
 * after another and they come back in that order, so each request queues behind the rest of the
 * train — p50 and p99 then grow with connections × the hop's service time, a latency of the load
 * pattern rather than of the server (measured through the gateway: p50 1.0–1.7 ms against the
 * backend's 0.43). Random pauses break the train up within a few cycles: arrivals spread out as
 * from independent clients. Both paced benches (gateway, telemetry) use it.
 */
export const randomPacing = (paceMs: number): string =>
  `delay = function() return math.random(0, ${2 * paceMs}) end\n`;

/** {@link randomPacing} in words, for a bench's description. */
export const describeRandomPacing = (paceMs: number): string =>
  `each connection pausing a random 0..${2 * paceMs} ms (mean ${paceMs}) between requests (wrk Lua delay; a fixed pause keeps connections in a train)`;

/** No pause (closed loop, saturation) unless `paceMs` is given. */
const pacing = (paceMs: number | undefined) => (paceMs === undefined ? '' : randomPacing(paceMs));

/** Books seats `<show>-1`, `<show>-2` ... in order (one new seat per request), `users` users in turn. */
export function bookEverySeatScript(show: string, users: number, paceMs?: number): string {
  return `counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = string.format('{"seatId":"${show}-%d","userId":"bench-%d"}', counter, counter % ${users})
  return wrk.format(nil, "/bookings", nil, body)
end
${pacing(paceMs)}${TALLY}`;
}

/** Reads random seats `<show>-1` … `<show>-<seats>`. */
export function readSeatsScript(show: string, seats: number, paceMs?: number): string {
  return `request = function()
  return wrk.format("GET", "/seats/${show}-" .. math.random(1, ${seats}))
end
${pacing(paceMs)}${TALLY}`;
}

export interface TalliedRun extends WrkResult {
  /** Status code → answers. */
  statuses: Map<number, number>;
}

export async function runWrkScript(o: {
  url: string;
  connections: number;
  durationSec: number;
  scriptFile: string;
  script: string;
}): Promise<TalliedRun> {
  if (new URL(o.url).hostname !== '127.0.0.1')
    throw new Error(`benchmarks only target loopback, not ${o.url}`);
  await writeFile(o.scriptFile, o.script);
  const args = ['-t', '1', '-c', String(o.connections), '-d', `${o.durationSec}s`, '--latency'];
  const { stdout } = await runTool('wrk', [...args, '-s', o.scriptFile, o.url]);
  const statuses = new Map<number, number>();
  for (const m of stdout.matchAll(/^status (\d+) (\d+)$/gm))
    statuses.set(Number(m[1]), (statuses.get(Number(m[1])) ?? 0) + Number(m[2]));
  return { ...parseWrk(stdout), statuses };
}
