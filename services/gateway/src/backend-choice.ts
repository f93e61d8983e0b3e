/**
 * The backend for one attempt: the sticky cookie's backend on the first attempt, else the
 * upstream's picker over the eligible backends not tried yet, each admitted by its breaker.
 */
import type { IncomingMessage } from 'node:http';
import type { Backend } from './backend.js';
import type { Upstream } from './http-proxy.js';

/**
 * Backends refused here are added to `tried`, so a retry does not pick them again; the
 * chosen one is not (the caller records it once the attempt starts).
 */
export function chooseBackend(
  upstream: Upstream,
  req: IncomingMessage,
  attempt: number,
  stickyToken: string | undefined,
  tried: Set<Backend>,
): Backend | undefined {
  const { pool, picker, sticky } = upstream;
  if (attempt === 0 && sticky) {
    const b = sticky.backendFor(stickyToken, pool);
    if (b?.breaker.tryAcquire()) return b;
    if (b) tried.add(b);
  }
  const candidates = pool.eligible();
  const hashKey = picker.name === 'ring-hash' ? upstream.hashKey(req) : undefined;
  // A half-open breaker admits only a few probes: skip it and pick again if it refuses.
  for (let i = 0; i <= candidates.length; i++) {
    const b = picker.pick(candidates, {
      hashKey,
      exclude: tried.size > 0 ? tried : undefined,
    });
    if (!b) return undefined;
    b.picks.set(picker.name, (b.picks.get(picker.name) ?? 0) + 1);
    if (b.breaker.tryAcquire()) return b;
    tried.add(b);
  }
  return undefined;
}
