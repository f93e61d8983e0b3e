/**
 * Sessions: `POST /sessions` creates one and sets a cookie; lookups answer from this replica's
 * in-memory cache first. With the `memory` store that cache is all there is — a session lives
 * and dies with its replica, which is what sticky sessions in the gateway are shown against.
 * With the `redis` store every session is also written to Redis, so a cache miss on another
 * replica (or after a restart) still finds it.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export const SESSION_COOKIE = 'booking_session';

export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  /** The replica that created it. */
  createdBy: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface SessionLookup {
  session: Session;
  /** `hit`: this replica's cache had it; `miss`: it came from Redis. */
  cache: 'hit' | 'miss';
}

export interface SessionStoreOptions {
  kind: 'memory' | 'redis';
  ttlMs: number;
  instance: string;
  /** Required for `redis`. */
  redis?: Redis;
  /** Largest number of cached sessions; the oldest go first. Default 100 000. */
  maxCached?: number;
}

export class SessionStore {
  readonly #cache = new Map<string, Session>();
  readonly #maxCached: number;

  constructor(private readonly opts: SessionStoreOptions) {
    if (opts.kind === 'redis' && !opts.redis)
      throw new Error('SessionStore: redis store needs a client');
    this.#maxCached = opts.maxCached ?? 100_000;
  }

  get kind(): 'memory' | 'redis' {
    return this.opts.kind;
  }

  async create(userId: string): Promise<Session> {
    const session: Session = {
      id: randomBytes(18).toString('base64url'),
      userId,
      createdAt: new Date().toISOString(),
      createdBy: this.opts.instance,
      expiresAt: Date.now() + this.opts.ttlMs,
    };
    if (this.opts.kind === 'redis') {
      await this.opts.redis!.set(
        keys.session(session.id),
        JSON.stringify(session),
        'PX',
        this.opts.ttlMs,
      );
    }
    this.#remember(session);
    return session;
  }

  /** The session, from cache or Redis; undefined when unknown or expired. */
  async lookup(id: string): Promise<SessionLookup | undefined> {
    const cached = this.#cache.get(id);
    if (cached && cached.expiresAt > Date.now()) return { session: cached, cache: 'hit' };
    if (cached) this.#cache.delete(id);
    if (this.opts.kind !== 'redis') return undefined;
    const raw = await this.opts.redis!.get(keys.session(id));
    if (raw === null) return undefined;
    const session = JSON.parse(raw) as Session;
    this.#remember(session);
    return { session, cache: 'miss' };
  }

  #remember(session: Session): void {
    if (this.#cache.size >= this.#maxCached) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(session.id, session);
  }
}

/** The value of cookie `name` in a `Cookie` header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
