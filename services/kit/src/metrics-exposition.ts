/**
 * `/metrics`: OpenMetrics (with exemplars) when the scraper asks for it — Prometheus does —
 * and the classic text format otherwise, for people with curl.
 */
import type { RequestHandler } from 'express';
import { Registry, type Metric, type RegistryContentType } from 'prom-client';

export const OPENMETRICS = Registry.OPENMETRICS_CONTENT_TYPE;
export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * The same metrics as classic text. prom-client renames counters in OpenMetrics mode
 * (it drops `_total` and re-adds it per line), so the text view re-adds it to the name.
 */
export async function renderText(registry: Registry<RegistryContentType>): Promise<string> {
  const text = new Registry();
  const metrics = registry.getMetricsAsArray() as unknown as (Metric & {
    name: string;
    help: string;
    type: string;
  })[];
  for (const metric of metrics) {
    if (metric.type !== 'counter') {
      text.registerMetric(metric);
      continue;
    }
    const name = `${metric.name.replace(/_total$/, '')}_total`;
    text.registerMetric({
      name,
      help: metric.help,
      type: 'counter',
      get: async () => ({ ...(await metric.get()), name }),
    } as unknown as Metric);
  }
  return text.metrics();
}

export function metricsHandler(registry: Registry<RegistryContentType>): RequestHandler {
  return (req, res, next) => {
    const om = wantsOpenMetrics(req.headers.accept);
    (om ? registry.metrics() : renderText(registry)).then(
      (body) => {
        res.setHeader('Content-Type', om ? OPENMETRICS : PROMETHEUS_TEXT);
        res.end(body);
      },
      (err: unknown) => next(err),
    );
  };
}
