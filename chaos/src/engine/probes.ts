/**
 * Small network probes the engine's verification uses: a request/response round trip over a
 * fresh TCP connection (Redis PING or an HTTP GET), what happens to a new connection (answered,
 * refused, reset, hangs), and the share of HTTP requests answered with a given status.
 */
import { connect } from 'node:net';

/** What to say on a fresh connection so the other side answers. */
export type ProbeProtocol = 'redis' | 'http';

const REQUEST: Record<ProbeProtocol, string> = {
  redis: 'PING\r\n',
  // etcd's client port and the services both speak HTTP/1.1; any answer (even 404) will do.
  http: 'GET /livez HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n',
};

/** Which probe fits a link: Redis links get PING, everything else an HTTP request. */
export function probeProtocolFor(link: string): ProbeProtocol {
  return link.startsWith('redis') ? 'redis' : 'http';
}

export type ConnectionOutcome =
  | { kind: 'answered'; ms: number }
  | { kind: 'refused' | 'reset' | 'closed'; ms: number; error?: string }
  | { kind: 'hung'; ms: number };

/**
 * Connects to `hostPort`, sends the probe request and waits up to `timeoutMs` for the first
 * byte of an answer. `ms` counts from the connect attempt.
 */
export function probeConnection(
  hostPort: string,
  protocol: ProbeProtocol,
  timeoutMs: number,
): Promise<ConnectionOutcome> {
  const [host, port] = splitHostPort(hostPort);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (o: ConnectionOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const since = () => performance.now() - t0;
    const timer = setTimeout(() => done({ kind: 'hung', ms: since() }), timeoutMs);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(REQUEST[protocol]));
    socket.once('data', () => done({ kind: 'answered', ms: since() }));
    socket.once('end', () => done({ kind: 'closed', ms: since() }));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done({
        kind: e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : 'closed',
        ms: since(),
        error: e.code ?? e.message,
      }),
    );
  });
}

/** Fastest answered round trip of `n` probes (ms), or the first outcome that was not answered. */
export async function fastestRoundTrip(
  hostPort: string,
  protocol: ProbeProtocol,
  n: number,
  timeoutMs: number,
): Promise<ConnectionOutcome> {
  let best: ConnectionOutcome | undefined;
  for (let i = 0; i < n; i++) {
    const o = await probeConnection(hostPort, protocol, timeoutMs);
    if (o.kind !== 'answered') return o;
    if (!best || o.ms < best.ms) best = o;
  }
  return best ?? { kind: 'hung', ms: timeoutMs };
}

/** Sends `n` requests to `url` and counts answers with `status` marked as injected. */
export async function injectedStatusShare(
  url: string,
  method: string,
  status: number,
  n: number,
): Promise<{ injected: number; other: Record<string, number>; sent: number }> {
  let injected = 0;
  const other: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    try {
      const res = await fetch(url, {
        method,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      // Only the agent's answers count: a real 503 from the app is not the fault.
      if (res.status === status && res.headers.has('x-faultline-fault')) injected++;
      else other[res.status] = (other[res.status] ?? 0) + 1;
    } catch (e) {
      const key = (e as Error).name;
      other[key] = (other[key] ?? 0) + 1;
    }
  }
  return { injected, other, sent: n };
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1))];
}
