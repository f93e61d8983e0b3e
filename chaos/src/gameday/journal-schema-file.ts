/**
 * The committed JSON Schema of `journal.json` (`chaos/schema/journal.schema.json`), generated
 * from the zod journal schema, for tools that read journals without this code (dashboards of
 * past game days, CI annotations). Formatted with the repository's Prettier settings so
 * `prettier --check` and the drift test agree on the committed bytes.
 */
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { z } from 'zod';
import { JOURNAL_VERSION } from './journal.js';
import { journalSchema } from './journal-schema.js';

/** Where the committed file lives (this module runs from chaos/dist/src/gameday). */
export const JOURNAL_SCHEMA_FILE = fileURLToPath(
  new URL('../../../schema/journal.schema.json', import.meta.url),
);

/** The JSON Schema (draft 2020-12) of a journal; extra properties allowed (fields only get added). */
export function journalJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(journalSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: 'https://faultline.dev/schema/journal.schema.json',
    title: `faultline game-day journal (version ${JOURNAL_VERSION})`,
    ...rest,
  };
}

/** The file's exact committed text. */
export async function renderJournalSchemaFile(): Promise<string> {
  return format(JSON.stringify(journalJsonSchema()), {
    printWidth: 100,
    singleQuote: true,
    trailingComma: 'all',
    parser: 'json',
  });
}
