/**
 * Reading samples out of Prometheus text exposition, for tests. A missing series is a failure,
 * never 0: a renamed metric or a label that is never set must fail the `=== 0` checks that prove
 * something did not happen, instead of passing them.
 */

/** Labels a sample must carry (each with exactly this value); others are summed over. */
export type LabelMatch = Readonly<Record<string, string>>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(body: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of (body ?? '').matchAll(LABEL)) out.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
  return out;
}

/**
 * The sum of the samples of `name` carrying `labels`, or `undefined` when no sample matches.
 * `name` is the exact sample name (`x_total`, `x_bucket`), not a prefix.
 */
export function findSample(
  text: string,
  name: string,
  labels: LabelMatch = {},
): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== name) continue;
    const have = labelsOf(m[2]);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) {
      sum = (sum ?? 0) + Number(m[3]);
    }
  }
  return sum;
}

/** Like {@link findSample}, but throws, naming the series, when no sample matches. */
export function sampleValue(text: string, name: string, labels: LabelMatch = {}): number {
  const v = findSample(text, name, labels);
  if (v === undefined) {
    const sel = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    throw new Error(`no sample ${name}{${sel}} in the exposition (renamed, or never set?)`);
  }
  return v;
}

/** Fetches `<baseUrl>/metrics` as text (2 s timeout), throwing on a non-200 answer. */
export async function scrapeMetrics(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics: ${res.status}`);
  return res.text();
}

/** Scrapes `baseUrl` and returns {@link sampleValue} of the series (throws when it is missing). */
export async function scrapeSample(
  baseUrl: string,
  name: string,
  labels: LabelMatch = {},
): Promise<number> {
  return sampleValue(await scrapeMetrics(baseUrl), name, labels);
}
