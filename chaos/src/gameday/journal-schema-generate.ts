/**
 * Writes chaos/schema/journal.schema.json from the zod journal schema. Run after changing
 * journal-schema.ts:
 *   npx tsc -b chaos && node chaos/dist/src/gameday/journal-schema-generate.js
 * A test fails when the committed file differs from freshly generated output.
 */
import { writeFile } from 'node:fs/promises';
import { JOURNAL_SCHEMA_FILE, renderJournalSchemaFile } from './journal-schema-file.js';

await writeFile(JOURNAL_SCHEMA_FILE, await renderJournalSchemaFile());
process.stdout.write(`wrote ${JOURNAL_SCHEMA_FILE}\n`);
