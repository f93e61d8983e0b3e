/**
 * Request bodies that a retry may have to replay are read whole first, bounded by the body
 * limit, so a second attempt can send the same bytes again.
 */
import type { IncomingMessage } from 'node:http';

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
