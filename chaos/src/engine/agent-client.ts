/**
 * A small client for the faultline agent's admin API (bearer token from the agent's token
 * file). Used by drivers and by `chaos stop` when the engine that applied a fault is gone.
 *
 * Straight to the agent's port, or through a {@link AgentRoute}: the Kubernetes API server's
 * pod proxy, for a client outside the cluster (pod IPs of kind are not routable from its host).
 */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AGENT_TOKEN_HEADER } from '../agent/bearer-auth.js';
import type { ActiveFaultView, AppliedFault as AgentAppliedFault } from '../agent/fault-spec.js';

/**
 * Something between the client and the agent that needs its own credentials (TLS material,
 * headers) — the API server's pod proxy. It drops `Authorization` once it has authenticated
 * the caller, so the agent's token travels in {@link AGENT_TOKEN_HEADER} instead.
 */
export interface AgentRoute {
  requestOptions(): Promise<RequestOptions>;
}

/** An agent answered with an error status; `details` is its `{path, message}` list. */
export class AgentCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AgentCallError';
  }
}

interface Reply {
  status: number;
  text: string;
}

/** One keep-alive pool for every agent this process talks to (renewals reuse connections). */
const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 8 });
const keepAliveTls = new HttpsAgent({ keepAlive: true, maxSockets: 8 });

export class AgentClient {
  #token: string | undefined;

  constructor(
    readonly adminUrl: string,
    private readonly tokenFile: string,
    private readonly timeoutMs = 2000,
    private readonly route?: AgentRoute,
  ) {}

  async #call(method: string, path: string, body?: unknown): Promise<Reply> {
    // The token changes when the agent restarts: read it once per client (clients are short-lived).
    this.#token ??= (await readFile(this.tokenFile, 'utf8')).trim();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const via = this.route ? await this.route.requestOptions() : undefined;
    // Relative to the admin URL, which is a path prefix when a proxy stands in between.
    const url = new URL(path.replace(/^\//, ''), this.adminUrl.replace(/\/?$/, '/'));
    const tls = url.protocol === 'https:';
    // node:http rather than fetch: the engine is a short-lived CLI process, and loading fetch's
    // implementation costs more than the whole apply on a busy machine (the bench measures it).
    return new Promise((resolve, reject) => {
      const req = (tls ? httpsRequest : request)(
        url,
        {
          ...via,
          method,
          agent: tls ? keepAliveTls : keepAlive,
          timeout: this.timeoutMs,
          headers: {
            ...(via?.headers as Record<string, string> | undefined),
            ...(via
              ? { [AGENT_TOKEN_HEADER]: this.#token }
              : { authorization: `Bearer ${this.#token}` }),
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** POST /faults; throws {@link AgentCallError} with the agent's own words on 4xx. */
  async apply(request: Record<string, unknown>): Promise<AgentAppliedFault> {
    const res = await this.#call('POST', '/faults', request);
    if (res.status !== 201) throw callError(res, `apply ${String(request.type)}`);
    return JSON.parse(res.text) as AgentAppliedFault;
  }

  /** POST /faults/:id/renew; false when the fault is not active any more. */
  async renew(id: string, ttlMs: number): Promise<boolean> {
    const res = await this.#call('POST', `/faults/${encodeURIComponent(id)}/renew`, { ttlMs });
    if (isGone(res)) return false;
    if (!ok(res)) throw callError(res, `renew ${id}`);
    return true;
  }

  /** DELETE /faults/:id; false when it was already gone. */
  async remove(id: string): Promise<boolean> {
    const res = await this.#call('DELETE', `/faults/${encodeURIComponent(id)}`);
    if (isGone(res)) return false;
    if (!ok(res)) throw callError(res, `remove ${id}`);
    return true;
  }

  /** GET /links: the names of the agent's proxy links (a partition without a link cuts them all). */
  async linkNames(): Promise<string[]> {
    const res = await this.#call('GET', '/links');
    if (!ok(res)) throw callError(res, 'list links');
    return (JSON.parse(res.text) as { links: { name: string }[] }).links.map((l) => l.name);
  }

  /** GET /faults. */
  async list(): Promise<ActiveFaultView[]> {
    const res = await this.#call('GET', '/faults');
    if (!ok(res)) throw callError(res, 'list faults');
    return (JSON.parse(res.text) as { faults: ActiveFaultView[] }).faults;
  }
}

const ok = (res: Reply) => res.status >= 200 && res.status < 300;

function callError(res: Reply, what: string): AgentCallError {
  const text = res.text;
  let detail = text;
  try {
    const body = JSON.parse(text) as {
      error?: string;
      details?: { path: string; message: string }[];
    };
    detail =
      (body.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ') || (body.error ?? text);
  } catch {
    // not JSON: keep the text
  }
  return new AgentCallError(res.status, `${what}: agent answered ${res.status}: ${detail}`);
}

/** The fault is not active: never applied here (404) or ended already (409 `fault_ended`). */
function isGone(res: { status: number; text: string }): boolean {
  return res.status === 404 || (res.status === 409 && res.text.includes('"fault_ended"'));
}
