/**
 * Writes chaos/schema/gameday.schema.json from the zod spec. Run after changing spec.ts:
 *   npx tsc -b chaos && node chaos/dist/src/gameday/generate-spec-schema.js
 */
import { writeFile } from 'node:fs/promises';
import { GAMEDAY_SCHEMA_FILE, renderGameDaySchema } from './spec-schema-file.js';

await writeFile(GAMEDAY_SCHEMA_FILE, await renderGameDaySchema());
process.stdout.write(`wrote ${GAMEDAY_SCHEMA_FILE}\n`);
