/**
 * The client history: one JSON line per scheduled request — dropped ones too — with what the
 * correctness checkers need (seat, user, key, timestamps, outcome, booking id, fencing token,
 * holder, the replica that answered). Lines are written as requests finish, so they are in
 * completion order; `seq` is the schedule order.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { OperationName } from './operations.js';

/**
 * How a request ended:
 * - `ok`: a response with status < 500 (a definite answer, also for 4xx such as 409 seat_taken);
 * - `error`: status >= 500, or refused before anything was sent (it did not happen);
 * - `unknown`: timeout or network error after sending — it may have happened;
 * - `dropped`: never sent, the in-flight bound was reached (k6's dropped_iterations).
 */
export type Outcome = 'ok' | 'error' | 'unknown' | 'dropped';

export interface HistoryRecord {
  seq: number;
  vu: number;
  scenario: string;
  op: OperationName;
  method: string;
  /** Route template, e.g. `/seats/:seatId`. */
  route: string;
  url: string;
  seatId?: string;
  userId?: string;
  idempotencyKey?: string;
  /** Attempts made (1 unless a keyed booking was retried). */
  attempt?: number;
  /** Epoch ms (fractions allowed). */
  scheduledAt: number;
  startedAt?: number;
  endedAt?: number;
  outcome: Outcome;
  status?: number;
  error?: string;
  bookingId?: string;
  fencingToken?: number;
  holder?: string;
  /** The replica that answered, when the response says so (body `instance` / `me`). */
  servedBy?: string;
  sessionId?: string;
  traceId?: string;
}

/** Appends records as JSON Lines; `close()` flushes and resolves once the file is complete. */
export class HistoryWriter {
  readonly #out: WriteStream;
  #failure: Error | undefined;
  #pending: string[] = [];
  // Lines go out in batches: one write per request costs more than the request itself.
  readonly #flusher = setInterval(() => this.#flush(), 100);

  constructor(readonly file: string) {
    this.#out = createWriteStream(file, { flags: 'w' });
    this.#out.on('error', (e) => {
      this.#failure = e;
    });
    this.#flusher.unref();
  }

  write(r: HistoryRecord): void {
    this.#pending.push(JSON.stringify(r));
    if (this.#pending.length >= 512) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#out.write(`${this.#pending.join('\n')}\n`);
    this.#pending = [];
  }

  async close(): Promise<void> {
    clearInterval(this.#flusher);
    this.#flush();
    this.#out.end();
    if (!this.#out.closed) await once(this.#out, 'close');
    if (this.#failure) throw new Error(`history ${this.file}: ${this.#failure.message}`);
  }
}
