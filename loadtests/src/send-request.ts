/**
 * Sends one planned request through the keep-alive pool and classifies how it ended. A keyed
 * booking whose outcome is unknown (timeout, connection lost after sending) or that was refused
 * is retried with the same key — the server's idempotency store makes that safe. Only response
 * fields the checkers need are read from the body.
 */
import type { Dispatcher } from 'undici';
import type { CookieJar } from './cookie-jar.js';
import type { Outcome } from './history.js';
import type { PlannedRequest } from './journey.js';

export interface SendResult {
  outcome: Exclude<Outcome, 'dropped'>;
  attempts: number;
  status?: number;
  error?: string;
  /** Epoch ms when the first attempt started and the last one ended. */
  startedAt: number;
  endedAt: number;
  fields: ResponseFields;
}

export interface ResponseFields {
  bookingId?: string;
  fencingToken?: number;
  holder?: string;
  servedBy?: string;
  sessionId?: string;
}

export interface SendOptions {
  pool: Dispatcher;
  jar: CookieJar;
  timeoutMs: number;
  /** `traceparent` to send, when this request is traced. */
  traceparent?: string;
  /** Base back-off between retries (ms × attempt). */
  retryBackoffMs?: number;
}

const epochNow = () => performance.timeOrigin + performance.now();
/** Operations whose response body carries something for the history. */
const READS_BODY = new Set(['book', 'open-session', 'session-me', 'leader']);

export async function sendPlanned(p: PlannedRequest, o: SendOptions): Promise<SendResult> {
  const startedAt = epochNow();
  const maxAttempts = p.idempotencyKey !== undefined ? 1 + p.step.retries : 1;
  let last: Omit<SendResult, 'attempts' | 'startedAt'> | undefined;
  let mayHaveHappened = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep((o.retryBackoffMs ?? 50) * (attempt - 1));
    last = await attemptOnce(p, o);
    // Any HTTP answer is definite (a replay under the same key answers for earlier attempts).
    if (last.status !== undefined) return { ...last, attempts: attempt, startedAt };
    mayHaveHappened ||= last.outcome === 'unknown';
  }
  // Refused after an attempt that may have reached the server: still unknown.
  return {
    ...last!,
    outcome: mayHaveHappened ? 'unknown' : last!.outcome,
    attempts: maxAttempts,
    startedAt,
  };
}

async function attemptOnce(
  p: PlannedRequest,
  o: SendOptions,
): Promise<Omit<SendResult, 'attempts' | 'startedAt'>> {
  const headers: Record<string, string> = {};
  if (p.body !== undefined) headers['content-type'] = 'application/json';
  if (p.idempotencyKey !== undefined) headers['idempotency-key'] = p.idempotencyKey;
  const cookie = o.jar.header();
  if (cookie !== undefined) headers.cookie = cookie;
  if (o.traceparent !== undefined) headers.traceparent = o.traceparent;
  try {
    const res = await o.pool.request({
      path: p.path,
      method: p.step.method,
      headers,
      ...(p.body !== undefined ? { body: p.body } : {}),
      // undici's own timers (cheaper than a signal per request): no headers, or a body stalled, for the timeout.
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
    });
    o.jar.store(res.headers['set-cookie']);
    let fields: ResponseFields = {};
    if (READS_BODY.has(p.step.op)) fields = fieldsOf(await res.body.text());
    else await res.body.dump();
    return {
      outcome: res.statusCode < 500 ? 'ok' : 'error',
      status: res.statusCode,
      endedAt: epochNow(),
      fields,
    };
  } catch (e) {
    return { ...classify(e), endedAt: epochNow(), fields: {} };
  }
}

/** Refused or never connected = nothing was sent (error); anything else after connecting may have happened (unknown). */
export function classify(e: unknown): { outcome: 'error' | 'unknown'; error: string } {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return { outcome: 'error', error: code };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return { outcome: 'unknown', error: 'timeout' };
  return { outcome: 'unknown', error: code ?? err.name ?? String(e) };
}

function fieldsOf(text: string): ResponseFields {
  // Not JSON (a proxy's error page, a plain `ok`): nothing to read, and no exception to pay for.
  if (text.charCodeAt(0) !== 123 /* { */) return {};
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const out: ResponseFields = {};
  const bookingId = str(body.bookingId);
  if (bookingId) out.bookingId = bookingId;
  if (typeof body.fencingToken === 'number') out.fencingToken = body.fencingToken;
  const holder = str(body.holderBookingId) ?? str(body.leader);
  if (holder) out.holder = holder;
  const servedBy = str(body.instance) ?? str(body.me);
  if (servedBy) out.servedBy = servedBy;
  const sessionId = str(body.sessionId);
  if (sessionId) out.sessionId = sessionId;
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
