/**
 * `journal.json`: the whole journal, checked against the journal schema before it is written
 * (a journal that does not match would make every later re-render fail; better to fail here,
 * naming the path). Pretty-printed so a diff between two game days reads.
 */
import { journalSchema } from './journal-schema.js';
import type { Journal } from './journal.js';

/** Renders journal.json; throws naming the JSON paths when the journal breaks its schema. */
export function renderJson(journal: Journal): string {
  const result = journalSchema.safeParse(journal);
  if (!result.success)
    throw new Error(
      `game-day journal does not match its schema:\n  ${result.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('\n  ')}`,
    );
  // The journal as given, not the parsed copy: fields added by a newer runner survive.
  return `${JSON.stringify(journal, null, 2)}\n`;
}
