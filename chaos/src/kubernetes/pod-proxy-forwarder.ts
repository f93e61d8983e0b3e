/**
 * A local door to the API server's pod proxy, as `kubectl proxy` is: plain HTTP on
 * 127.0.0.1:<free port>, each request forwarded to the API server with the kubeconfig's TLS
 * material and credentials. A game day reads the scheduler pods' `/leader` and `/jobs` from a
 * kind host, where pod IPs are not routable, with plain `fetch` of an ordinary URL — and the
 * user can curl the same URL while it runs.
 *
 * Narrower than `kubectl proxy`: only GET and HEAD, only pod proxy paths of one namespace.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiServerRoute } from './api-server-route.js';

export interface PodProxyForwarder {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The base URL of port `port` of `pod`, through the forwarder (no trailing slash). */
  podUrl(pod: string, port: number): string;
  close(): Promise<void>;
}

export async function startPodProxyForwarder(
  kc: KubeConfig,
  namespace: string,
): Promise<PodProxyForwarder> {
  const { server, route } = apiServerRoute(kc, 'the pod proxy forwarder');
  const upstream = new URL(server);
  const prefix = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/`;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end(`only GET and HEAD are forwarded\n`);
      return;
    }
    if (!path.startsWith(prefix) || !/^[^/]+:\d+\/proxy(\/|$)/.test(path.slice(prefix.length))) {
      res.writeHead(403).end(`only ${prefix}<pod>:<port>/proxy/… is forwarded\n`);
      return;
    }
    const opts = await route.requestOptions();
    const send = upstream.protocol === 'https:' ? request : httpRequest;
    const out = send(
      new URL(upstream.pathname.replace(/\/$/, '') + path, upstream),
      {
        ...opts,
        method: req.method,
        agent: upstream.protocol === 'https:' ? agent : undefined,
        headers: {
          ...(opts.headers as Record<string, string> | undefined),
          accept: req.headers.accept ?? '*/*',
        },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`API server: ${e.message}\n`);
    });
    req.on('close', () => {
      if (!res.writableEnded) out.destroy();
    });
    out.end();
  };

  const http = createServer((req, res) => {
    forward(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`credentials: ${(e as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    podUrl: (pod, port) => `${url}${prefix}${encodeURIComponent(pod)}:${port}/proxy`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
