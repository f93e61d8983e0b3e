/**
 * Grafana annotations for an experiment's start and end, posted to a Grafana the caller names
 * (the CLI reads `GRAFANA_URL` and `GRAFANA_TOKEN` once: {@link grafanaFromEnv}). No Grafana:
 * nothing is posted.
 */
export interface AnnotationSink {
  annotate(text: string, tags: string[], time?: number, timeEnd?: number): Promise<void>;
}

/** Where annotations go: Grafana's base URL (user:password in it for basic auth) and a token. */
export interface GrafanaTarget {
  url: string;
  /** Sent as a bearer token when the URL carries no user:password. */
  token?: string;
}

/** `GRAFANA_URL` (and `GRAFANA_TOKEN`) from the environment, for an entry point to read once. */
export function grafanaFromEnv(env: NodeJS.ProcessEnv): GrafanaTarget | undefined {
  if (!env.GRAFANA_URL) return undefined;
  return { url: env.GRAFANA_URL, ...(env.GRAFANA_TOKEN ? { token: env.GRAFANA_TOKEN } : {}) };
}

export function grafanaAnnotations(
  grafana: GrafanaTarget | undefined,
  onError: (message: string) => void,
): AnnotationSink {
  if (!grafana) return { annotate: async () => {} };
  const url = new URL('/api/annotations', grafana.url);
  const auth = url.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : grafana.token
      ? `Bearer ${grafana.token}`
      : undefined;
  url.username = '';
  url.password = '';
  return {
    annotate: async (text, tags, time = Date.now(), timeEnd) => {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify({ time, ...(timeEnd ? { timeEnd } : {}), tags, text }),
          signal: AbortSignal.timeout(2000),
        });
        await res.arrayBuffer();
        if (!res.ok) onError(`Grafana annotation: ${res.status} from ${url.origin}`);
      } catch (e) {
        onError(`Grafana annotation: ${(e as Error).message}`);
      }
    },
  };
}
