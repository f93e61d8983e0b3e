/**
 * Receipt backends (fixtures/receipt-backend.ts) as real processes, and the booking-like POST
 * the never-sent retry tests send through the gateway. Receipts live in files, so a backend's
 * count can still be read after it was SIGKILLed.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'node:http';
import { freePort } from '@faultline/kit/testing/free-port';
import {
  startProcess,
  waitForPort,
  type ManagedProcess,
} from '@faultline/kit/testing/child-process';
import { send, type Reply } from './helpers.js';

const ENTRY = fileURLToPath(new URL('./fixtures/receipt-backend.js', import.meta.url));

export interface ReceiptBackend {
  readonly instance: string;
  readonly address: string;
  readonly proc: ManagedProcess;
  /** Request ids this backend executed, in order (read from its file). */
  receipts(): string[];
  kill(): Promise<void>;
}

/** A directory for receipt files; `remove()` deletes it. */
export function receiptDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'faultline-receipts-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startReceiptBackend(
  instance: string,
  dir: string,
  env: Record<string, string> = {},
): Promise<ReceiptBackend> {
  const port = await freePort();
  const file = join(dir, `${instance}.receipts`);
  const proc = startProcess(process.execPath, [ENTRY], {
    env: {
      ...process.env,
      BACKEND_PORT: String(port),
      BACKEND_INSTANCE: instance,
      BACKEND_RECEIPTS: file,
      ...env,
    },
  });
  await waitForPort(port, '127.0.0.1', 10_000, proc);
  return {
    instance,
    address: `127.0.0.1:${port}`,
    proc,
    receipts() {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        // No receipt yet: the backend opens the file on its first one.
      }
      return text.split('\n').filter((l) => l !== '');
    },
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}

/** How many times each request id was executed, over all the backends given. */
export function executions(backends: readonly ReceiptBackend[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of backends) for (const id of b.receipts()) out.set(id, (out.get(id) ?? 0) + 1);
  return out;
}

/** A booking-like POST without Idempotency-Key (unless given): the id in header and body. */
export function postBooking(
  url: string,
  requestId: string,
  opts: { path?: string; agent?: Agent; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return send(`${url}${opts.path ?? '/bookings'}`, {
    method: 'POST',
    agent: opts.agent,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...opts.headers },
    body: JSON.stringify({ requestId, seatId: 'gala-1', userId: `user-${requestId}` }),
  });
}

/** The `error` of a JSON error answer, or undefined. */
export function errorOf(r: Reply): string | undefined {
  return (r.json as { error?: string } | undefined)?.error;
}
