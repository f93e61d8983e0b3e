/** Test fixtures: small HTTP servers on free loopback ports, and scenarios compiled from text. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileScenario, type CompiledScenario } from '../src/compiled-scenario.js';
import { formatProblem, parseScenarioText } from '../src/scenario-file.js';
import type { SloForThresholds } from '../src/slo-thresholds.js';

export interface Fixture {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** A server answering every request with `handler` (after the body has been read). */
export async function startFixture(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<Fixture> {
  const f = { url: '', requests: 0 } as Fixture;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++f.requests));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return f;
}

/** A validated and compiled scenario from YAML text (throws with file:line:col problems). */
export function scenarioFrom(
  yaml: string,
  slos: readonly SloForThresholds[] = [],
): CompiledScenario {
  const r = parseScenarioText(yaml, 'test.yaml');
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return compileScenario(r.scenario, '/tmp/test.yaml', slos);
}

/** A one-step constant-rate scenario. */
export function constantScenario(
  op: string,
  rate: number,
  duration: string,
  maxInFlight = 500,
): CompiledScenario {
  return scenarioFrom(`name: fixture
description: fixture scenario
arrival: { executor: constant-arrival-rate, rate: ${rate}, duration: ${duration} }
maxInFlight: ${maxInFlight}
timeout: 3s
journey: [{ op: ${op}, weight: 1 }]
`);
}
