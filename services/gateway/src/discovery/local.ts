/**
 * The local platform's discovery: the supervisor (or anyone) publishes the upstream's pods as
 * JSON, in a file or at an HTTP URL, and this source polls it:
 *
 *     {"endpoints": [{"host": "127.0.0.1", "port": 8081, "ready": true, "terminating": false}]}
 *
 * Polling keeps it dependency-free and obviously correct; the interval bounds how stale the
 * view can be. A failed read keeps the last good list (a supervisor restart must not empty
 * the pool).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from '@faultline/kit/logging';
import type { DiscoveredEndpoint } from '../backend-pool.js';
import type { Discovery, EndpointsListener } from './discovery.js';

export const LocalEndpoints = z.object({
  endpoints: z.array(
    z.object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      weight: z.number().int().min(1).optional(),
      ready: z.boolean().default(true),
      terminating: z.boolean().default(false),
    }),
  ),
});

export class LocalDiscovery implements Discovery {
  readonly description: string;
  #timer: NodeJS.Timeout | undefined;
  #last = '';

  constructor(
    private readonly source: string,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.description = `local (${source}, every ${intervalMs} ms)`;
  }

  async start(onChange: EndpointsListener): Promise<void> {
    const poll = async () => {
      try {
        const text = await this.#read();
        if (text === this.#last) return;
        const parsed = LocalEndpoints.parse(JSON.parse(text));
        this.#last = text;
        onChange(parsed.endpoints satisfies DiscoveredEndpoint[]);
      } catch (err) {
        this.logger.warn(
          { err, source: this.source },
          'local discovery read failed; keeping the last list',
        );
      }
    };
    await poll();
    this.#timer = setInterval(() => void poll(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    return Promise.resolve();
  }

  async #read(): Promise<string> {
    if (/^https?:\/\//.test(this.source)) {
      const res = await fetch(this.source, {
        signal: AbortSignal.timeout(Math.max(500, this.intervalMs)),
      });
      if (!res.ok) throw new Error(`${this.source} answered ${res.status}`);
      return res.text();
    }
    return readFile(this.source, 'utf8');
  }
}
