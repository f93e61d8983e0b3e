/** `npm run generate -w loadtests`: rewrites scenarios/*.json from the YAML and the SLOs. */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { freshScenarioJson } from './scenario-json.js';

for (const s of freshScenarioJson()) {
  writeFileSync(s.json, s.text);
  process.stdout.write(`wrote ${relative(process.cwd(), s.json)}\n`);
}
