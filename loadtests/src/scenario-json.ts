/**
 * The committed JSON copies of the scenarios (`scenarios/<name>.json`), which the k6 scripts
 * `open()` because k6 cannot parse YAML. `npm run generate -w loadtests` rewrites them; a test
 * keeps them equal to fresh output, so they never drift from the YAML or the SLOs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compiledScenarioJson } from './compiled-scenario.js';
import { packageRoot } from './paths.js';
import { compileScenarioFile } from './scenario-resolve.js';

export const scenariosDir = join(packageRoot, 'scenarios');

/** Every scenario YAML file and the JSON text that belongs next to it. */
export function freshScenarioJson(
  slosDir?: string,
): { yaml: string; json: string; text: string }[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const yaml = join(scenariosDir, f);
      return {
        yaml,
        json: yaml.replace(/\.yaml$/, '.json'),
        text: compiledScenarioJson(compileScenarioFile(yaml, slosDir)),
      };
    });
}
