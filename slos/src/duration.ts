/**
 * Prometheus durations as SLO files and rule names use them: one integer and one unit
 * (`5s`, `30m`, `1h`, `1d`, `3d`). Compound forms (`1h30m`) are not needed and not accepted,
 * so a window's name in a rule (`ratio_rate30m`) is always its literal duration.
 */

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
type Unit = keyof typeof UNIT_SECONDS;

/** The accepted form, for error messages. */
export const DURATION_FORM = 'an integer and one unit of s, m, h, d, w (e.g. 5m, 1h, 30d)';

const PATTERN = /^([1-9][0-9]*)([smhdw])$/;

/** Seconds in `text`, or undefined when it is not of the accepted form. */
export function parseDuration(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] as Unit];
}

/** Like {@link parseDuration} but throws: for durations written in code, not read from users. */
export function durationSeconds(text: string): number {
  const s = parseDuration(text);
  if (s === undefined)
    throw new Error(`not a duration: ${JSON.stringify(text)} (${DURATION_FORM})`);
  return s;
}

/** The shortest exact form of `seconds` in the largest unit that divides it (3600 → `1h`). */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`cannot write ${seconds} s as a Prometheus duration`);
  for (const unit of ['d', 'h', 'm'] as const)
    if (seconds % UNIT_SECONDS[unit] === 0) return `${seconds / UNIT_SECONDS[unit]}${unit}`;
  return `${seconds}s`;
}

/** A human reading of `seconds` for comments: `4.3 s`, `8.6 min`, `1.4 h`. */
export function humanSeconds(seconds: number): string {
  const round = (x: number) => String(Number(x.toPrecision(2)));
  if (seconds < 120) return `${round(seconds)} s`;
  if (seconds < 7200) return `${round(seconds / 60)} min`;
  if (seconds < 172_800) return `${round(seconds / 3600)} h`;
  return `${round(seconds / 86_400)} d`;
}
