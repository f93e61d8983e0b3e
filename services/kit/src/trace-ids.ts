/**
 * Random W3C trace and span ids (lowercase hex, never all zeros) for the spans the kit makes
 * without the SDK: the context of an unsampled request. Drawn from a pool of crypto-random
 * bytes refilled 4 KiB at a time, so an id costs one hex slice.
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    for (let i = start; i < offset; i++)
      if (pool[i] !== 0) return pool.toString('hex', start, offset);
    // All zeros is the invalid id: draw again.
  }
}

/** 16 random bytes as 32 hex digits. */
export const newTraceId = (): string => randomHex(16);
/** 8 random bytes as 16 hex digits. */
export const newSpanId = (): string => randomHex(8);
