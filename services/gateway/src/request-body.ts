/**
 * Request bodies, bounded by the body limit either way. Bodies of idempotent requests, which
 * any failed attempt may replay, are read whole first. Others stream to the backend as they
 * arrive, with a copy kept so that one which never reached its backend can still be sent to
 * another; the copy never outgrows the limit, as a longer body is refused (413) anyway.
 */
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

export interface BufferedBodyEvents {
  /** The whole body arrived within the limit. */
  onBody(body: Buffer): void;
  /** The body passed the limit: the rest is discarded unread. */
  onTooLarge(): void;
}

export function bufferRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  events: BufferedBodyEvents,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      req.removeAllListeners('data');
      req.resume();
      events.onTooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.once('end', () => {
    if (size <= maxBytes) events.onBody(Buffer.concat(chunks, size));
  });
}

/** A streamed body and the attempt it currently flows to. */
export class StreamedBody {
  readonly #req: IncomingMessage;
  readonly #maxBytes: number;
  readonly #keepCopy: boolean;
  readonly #copy: Buffer[] = [];
  #size = 0;
  #ended = false;
  #reading = false;
  #target: Writable | undefined;
  #onTooLarge: (() => void) | undefined;
  /** The target whose full buffer paused the client, until it drains. */
  #pausedFor: Writable | undefined;

  /** `keepCopy` false: the body can go to one attempt only (no retry may need it). */
  constructor(req: IncomingMessage, maxBytes: number, keepCopy: boolean) {
    this.#req = req;
    this.#maxBytes = maxBytes;
    this.#keepCopy = keepCopy;
  }

  /**
   * Sends `to` everything read so far, then the rest as it arrives. `onTooLarge` runs once if
   * the body passes the limit while `to` is the target.
   */
  sendTo(to: Writable, onTooLarge: () => void): void {
    this.detach();
    this.#target = to;
    this.#onTooLarge = onTooLarge;
    for (const chunk of this.#copy) to.write(chunk);
    if (this.#ended) {
      to.end();
      return;
    }
    if (!this.#reading) {
      this.#reading = true;
      this.#req.on('data', (chunk: Buffer) => this.#onData(chunk));
      this.#req.once('end', () => this.#onEnd());
    }
  }

  /** Stops feeding the current target (its attempt was given up). */
  detach(): void {
    this.#target = undefined;
    this.#onTooLarge = undefined;
    if (this.#pausedFor !== undefined) {
      // A destroyed target never drains: do not leave the client paused on its account.
      this.#pausedFor = undefined;
      this.#req.resume();
    }
  }

  #onData(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.#copy.length = 0;
      this.#req.removeAllListeners('data');
      this.#req.resume();
      const onTooLarge = this.#onTooLarge;
      this.detach();
      onTooLarge?.();
      return;
    }
    if (this.#keepCopy) this.#copy.push(chunk);
    const to = this.#target;
    if (to !== undefined && !to.write(chunk)) {
      this.#pausedFor = to;
      this.#req.pause();
      to.once('drain', () => {
        if (this.#pausedFor !== to) return;
        this.#pausedFor = undefined;
        this.#req.resume();
      });
    }
  }

  #onEnd(): void {
    if (this.#size > this.#maxBytes) return;
    this.#ended = true;
    this.#target?.end();
  }
}
