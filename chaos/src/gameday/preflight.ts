/**
 * Preflight: the platform is ready, Prometheus has the SLO rules of every hypothesis SLO
 * loaded (`/api/v1/rules`, and the SLO's objective series exists), the overrides match the
 * running pods. Any failure means nothing is injected.
 */
import type { Slo } from '@faultline/slos/slo';
import type { CheckLine } from './journal.js';
import { overrideMismatches } from './overrides.js';
import type { OverrideName } from './overrides.js';
import { OVERRIDES } from './overrides.js';
import type { GameDayPlatform } from './platform.js';
import type { PrometheusClient } from './prometheus.js';

export async function preflight(
  platform: GameDayPlatform,
  prom: PrometheusClient,
  slos: readonly Slo[],
  overrides: Partial<Record<OverrideName, string | number | boolean>>,
): Promise<CheckLine[]> {
  const lines = await platform.ready();
  const at = Date.now();
  try {
    const rules = await prom.ruleNames();
    const alerts = ['SLOBurnRatePageGameDay', 'SLOBurnRateTicketGameDay'];
    const missingAlerts = alerts.filter((a) => !rules.alerting.has(a));
    const hasSli = [...rules.recording].some((r) => r.startsWith('slo:sli_error:ratio_rate'));
    lines.push({
      name: 'SLO rules loaded in Prometheus',
      ok: hasSli && missingAlerts.length === 0,
      detail:
        hasSli && missingAlerts.length === 0
          ? `${rules.recording.size} recording and ${rules.alerting.size} alerting rules`
          : `missing: ${[...(hasSli ? [] : ['slo:sli_error:ratio_rate*']), ...missingAlerts].join(', ')} (is slos/generated in rule_files?)`,
      at,
    });
    for (const slo of slos) {
      const id = `${slo.service}-${slo.name}`;
      const objective = await prom.scalar(`slo:objective:ratio{sloth_id="${id}"}`);
      lines.push({
        name: `rules of SLO ${id}`,
        ok: objective !== null,
        detail:
          objective === null
            ? `no slo:objective:ratio{sloth_id="${id}"} series`
            : `objective ${objective}`,
        at,
      });
    }
  } catch (e) {
    lines.push({ name: 'Prometheus answers', ok: false, detail: (e as Error).message, at });
  }
  const services = [...new Set(Object.values(OVERRIDES).map((d) => d.service))];
  const envs = Object.fromEntries(
    await Promise.all(services.map(async (s) => [s, await platform.podEnvs(s)] as const)),
  );
  const mismatches = overrideMismatches(overrides, envs);
  lines.push({
    name: 'overrides match the running pods',
    ok: mismatches.length === 0,
    detail:
      mismatches.length === 0
        ? `${Object.keys(overrides).length} overrides in force`
        : mismatches.join('; '),
    at,
  });
  return lines;
}
