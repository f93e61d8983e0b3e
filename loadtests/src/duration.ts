/**
 * Durations as scenario files and k6 write them (`30s`, `1m30s`, `500ms`), in milliseconds.
 * k6 accepts the same spelling, so the compiled scenario can hand them to k6 unchanged.
 */

/** One or more `<number><unit>` parts, units ms, s, m, h. */
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** What a duration may look like, for error messages. */
export const DURATION_EXAMPLES = '30s, 2m, 1m30s, 500ms';

/** Milliseconds for a duration such as `1m30s`, or `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return Math.round(ms);
}
