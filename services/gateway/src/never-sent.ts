/**
 * Proof that an upstream request never left the gateway, which makes retrying it elsewhere
 * safe whatever its method (Envoy's connect-failure and reset-before-request). The proof is
 * that not one byte of it was handed to the socket's handle. `socket.bytesWritten` cannot
 * tell: it also counts bytes still queued in the stream (a refused connection shows the whole
 * request head there). The handle's own count (`_bytesDispatched`) grows as soon as a write is
 * attempted, so comparing it with its value when the request got the socket errs only towards
 * "may have been sent". A reused keep-alive socket that the backend closed after our write
 * therefore counts as sent: from here that looks the same as a backend that read the request
 * and crashed.
 */
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/** Why a failed request provably never reached its backend. */
export type NeverSentReason = 'connect-failure' | 'reset-before-request';

/** Errors of the connect step: the connection never existed. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** Watches one upstream request from the moment it gets a socket. */
export class SendWatch {
  #socket: Socket | undefined;
  #dispatchedBefore: number | undefined;

  constructor(req: ClientRequest) {
    // Emitted before node:http flushes anything of this request onto the socket.
    req.once('socket', (socket: Socket) => {
      this.#socket = socket;
      this.#dispatchedBefore = dispatched(socket);
    });
  }

  /**
   * Why the request never left, or undefined when any byte of it may have. Ask before
   * destroying the request, while a connection attempt can still be seen as one.
   */
  neverSent(errorCode?: string): NeverSentReason | undefined {
    const socket = this.#socket;
    // No socket yet (still queued in the agent): nothing could have been written.
    if (socket === undefined) return 'connect-failure';
    const now = dispatched(socket);
    if (now === undefined || this.#dispatchedBefore === undefined) return undefined;
    if (now !== this.#dispatchedBefore) return undefined;
    return socket.connecting || (errorCode !== undefined && CONNECT_ERRORS.has(errorCode))
      ? 'connect-failure'
      : 'reset-before-request';
  }
}

/** Bytes the socket's handle has been asked to write, ever; undefined if node hides it. */
function dispatched(socket: Socket): number | undefined {
  const n = (socket as Socket & { _bytesDispatched?: unknown })._bytesDispatched;
  return typeof n === 'number' ? n : undefined;
}
