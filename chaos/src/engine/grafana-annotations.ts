/**
 * Grafana annotations for an experiment's start and end, when `GRAFANA_URL` is set (with
 * `GRAFANA_TOKEN` as a bearer token, or user:password in the URL). Without a URL: nothing.
 */
export interface AnnotationSink {
  annotate(text: string, tags: string[], time?: number, timeEnd?: number): Promise<void>;
}

export function grafanaAnnotations(
  env: NodeJS.ProcessEnv,
  onError: (message: string) => void,
): AnnotationSink {
  const base = env.GRAFANA_URL;
  if (!base) return { annotate: async () => {} };
  const url = new URL('/api/annotations', base);
  const auth = url.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : env.GRAFANA_TOKEN
      ? `Bearer ${env.GRAFANA_TOKEN}`
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
