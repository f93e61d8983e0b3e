/**
 * Everything `make dashboards` writes, as file contents keyed by path under `generated/`:
 * one JSON file per dashboard and the provisioning beside them. Pure, so the test that keeps
 * the committed files fresh compares against exactly what the generator would write. Output
 * goes through the repository's Prettier settings, so `prettier --check` agrees with it.
 */
import { format, resolveConfig } from 'prettier';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS } from './boards/all.js';
import { dashboardProviderYaml, datasourcesYaml } from './provisioning.js';

/** Stable panel ids (Grafana keys links and the panel editor on them), in reading order. */
function numberPanels(d: Dashboard): Dashboard {
  let id = 0;
  const number = (p: Panel | RowPanel): Panel | RowPanel =>
    'panels' in p && p.type === 'row'
      ? { ...p, id: ++id, panels: p.panels.map((q) => number(q) as Panel) }
      : { ...p, id: ++id };
  return { ...d, panels: d.panels?.map(number) };
}

async function pretty(text: string, parser: 'json' | 'yaml'): Promise<string> {
  const config = await resolveConfig(import.meta.filename);
  return format(text, { ...config, parser });
}

/** `generated/`-relative path → content. */
export async function renderAll(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, build] of Object.entries(DASHBOARDS))
    files.set(`${name}.json`, await pretty(JSON.stringify(numberPanels(build())), 'json'));
  files.set('provisioning/datasources/faultline.yaml', await pretty(datasourcesYaml(), 'yaml'));
  files.set(
    'provisioning/dashboards/faultline.yaml',
    await pretty(dashboardProviderYaml(), 'yaml'),
  );
  return files;
}
