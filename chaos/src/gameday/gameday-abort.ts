/**
 * The game day's abort watch: a page-severity burn-rate alert of a hypothesis SLO firing, or
 * one of the spec's PromQL conditions holding for its `for`, trips it once. It also reports
 * every firing alert for the live progress line.
 */
import { checkAbortConditions } from '../engine/abort-watch.js';
import { abortableSleep } from '../engine/abortable-sleep.js';
import type { AbortCondition } from '../experiment/spec.js';
import type { AbortRecord } from './journal.js';
import type { PrometheusClient } from './prometheus.js';

export interface AbortWatchOptions {
  prom: PrometheusClient;
  /** `<service>/<slo name>` of the hypothesis SLOs. */
  slos: readonly { service: string; name: string }[];
  onPageAlert: boolean;
  conditions: readonly AbortCondition[];
  intervalMs: number;
  signal: AbortSignal;
  onTrip: (a: AbortRecord) => void;
  onAlerts: (names: string[]) => void;
  onError: (m: string) => void;
}

export function watchGameDayAbort(o: AbortWatchOptions): Promise<void> {
  const since = new Map<number, number>();
  let lastError = '';
  const loop = async () => {
    while (!o.signal.aborted) {
      try {
        const firing = await o.prom.firingAlerts();
        o.onAlerts(
          firing.map(
            (a) =>
              `${a.labels.alertname}(${a.labels.sloth_service ?? ''}${a.labels.sloth_slo ? `/${a.labels.sloth_slo}` : ''})`,
          ),
        );
        const page = firing.find(
          (a) =>
            a.labels.severity === 'page' &&
            o.slos.some(
              (s) => s.service === a.labels.sloth_service && s.name === a.labels.sloth_slo,
            ),
        );
        if (o.onPageAlert && page && !o.signal.aborted) {
          o.onTrip({
            at: Date.now(),
            trigger: 'alert',
            reason: `page alert ${page.labels.alertname} fired for ${page.labels.sloth_service}/${page.labels.sloth_slo} (window set ${page.labels.window_set ?? '?'})`,
          });
          return;
        }
        if (o.conditions.length > 0) {
          const { trip, errors } = await checkAbortConditions(o.prom.baseUrl, o.conditions, since);
          for (const m of errors) if (m !== lastError) o.onError((lastError = m));
          if (trip && !o.signal.aborted) {
            o.onTrip({ at: Date.now(), trigger: 'condition', reason: trip.reason });
            return;
          }
        }
      } catch (e) {
        const m = `abort watch: ${(e as Error).message}`;
        if (m !== lastError) o.onError((lastError = m));
      }
      await abortableSleep(o.intervalMs, o.signal);
    }
  };
  return loop();
}
