/**
 * The JSON Schema of game-day files (chaos/schema/gameday.schema.json), generated from the zod
 * spec so editors (yaml-language-server) check game days as they are typed. Formatted with the
 * repository's Prettier settings; a test keeps the committed file equal to fresh output.
 */
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { z } from 'zod';
import { EXPERIMENT_API_VERSION } from '../experiment/spec.js';
import { GAMEDAY_KIND, gameDaySchema } from './spec.js';

export const GAMEDAY_SCHEMA_FILE = fileURLToPath(
  new URL('../../../schema/gameday.schema.json', import.meta.url),
);

export async function renderGameDaySchema(): Promise<string> {
  const schema = z.toJSONSchema(gameDaySchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  const doc = {
    $schema,
    $id: 'https://faultline.dev/schema/gameday.schema.json',
    title: `faultline ${GAMEDAY_KIND} (${EXPERIMENT_API_VERSION})`,
    ...rest,
  };
  return format(JSON.stringify(doc), { parser: 'json', printWidth: 100 });
}
