/**
 * Cookie-based affinity. The cookie holds an opaque token of the backend that answered; while
 * that backend is eligible, requests with the cookie go there (a hit). When it is not — dead,
 * ejected, draining — the request is balanced normally and the cookie is rewritten to the new
 * backend (a re-stick). The price of affinity shows up exactly there: sessions held in that
 * backend's memory are gone.
 */
import type { Backend } from './backend.js';
import type { BackendPool } from './backend-pool.js';

export interface StickyOptions {
  cookie: string;
  ttlSec: number;
}

export class StickySessions {
  readonly #prefix: string;
  readonly #attributes: string;

  constructor(readonly opts: StickyOptions) {
    this.#prefix = `${opts.cookie}=`;
    this.#attributes = `; Path=/; Max-Age=${opts.ttlSec}; HttpOnly; SameSite=Lax`;
  }

  /** The token in a request's Cookie header, if any. */
  tokenOf(cookieHeader: string | undefined): string | undefined {
    return cookieValue(cookieHeader, this.#prefix);
  }

  /** The eligible backend a token points to (undefined = balance normally). */
  backendFor(token: string | undefined, pool: BackendPool): Backend | undefined {
    if (token === undefined) return undefined;
    const b = pool.byStickyToken(token);
    return b && b.ineligibleReason === undefined ? b : undefined;
  }

  /** Classifies a finished exchange and counts it; returns a Set-Cookie value when it (re)sticks. */
  settle(token: string | undefined, answered: Backend, pool: BackendPool): string | undefined {
    if (token === answered.stickyToken) {
      pool.sticky.hit++;
      return undefined;
    }
    if (token === undefined) pool.sticky.miss++;
    else pool.sticky.restick++;
    return `${this.#prefix}${answered.stickyToken}${this.#attributes}`;
  }
}

/** Value of the cookie whose `name=` is `prefix`, without allocating a parsed map. */
export function cookieValue(header: string | undefined, prefix: string): string | undefined {
  if (!header) return undefined;
  let at = 0;
  for (;;) {
    const i = header.indexOf(prefix, at);
    if (i < 0) return undefined;
    // Must start a cookie: at the beginning or after "; " (not the tail of another name).
    if (i === 0 || header[i - 1] === ' ' || header[i - 1] === ';') {
      const end = header.indexOf(';', i);
      return header.slice(i + prefix.length, end < 0 ? undefined : end).trim();
    }
    at = i + prefix.length;
  }
}
