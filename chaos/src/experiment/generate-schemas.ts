/**
 * Writes chaos/schema/experiment.schema.json and chaos/schema/crd-experiment.yaml from the zod
 * spec. Run after changing spec.ts or status.ts:
 *   npx tsc -b chaos && node chaos/dist/src/experiment/generate-schemas.js
 * A test fails when the committed files differ from freshly generated output.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSchemaFiles, SCHEMA_DIR } from './schema-artifacts.js';

await mkdir(SCHEMA_DIR, { recursive: true });
for (const [name, content] of Object.entries(await renderSchemaFiles())) {
  await writeFile(join(SCHEMA_DIR, name), content);
  process.stdout.write(`wrote ${join(SCHEMA_DIR, name)}\n`);
}
