/**
 * Durations as people write them in experiment specs (`30s`, `2m`, `1h30m`, `500ms`) and
 * back again for plain-words output. Parsed once at load time into milliseconds.
 */

/** A duration: one or more `<number><unit>` parts, units ms, s, m, h. */
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** What a duration may look like, for error messages. */
export const DURATION_EXAMPLES = '30s, 2m, 1h30m, 500ms';

/** Milliseconds for a duration such as `1m30s`, or `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return Math.round(ms);
}

/** `30 s`, `2 min`, `1 h 30 min`, `500 ms`, `1.5 s`: for explanations and logs. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${trim(ms / 1_000)} s`;
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1_000;
  const parts: string[] = [];
  if (h > 0) parts.push(`${h} h`);
  if (min > 0) parts.push(`${min} min`);
  if (s > 0) parts.push(`${trim(s)} s`);
  return parts.join(' ');
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}
