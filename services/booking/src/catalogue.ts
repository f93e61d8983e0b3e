/**
 * What can be booked: shows with a fixed number of seats. Seat ids are `<show>-<n>` with n
 * from 1 to the show's seat count (`gala-17`), so a seat id says which show it belongs to and
 * an unknown seat is recognised without asking Redis.
 */

/** A show id: lowercase letters and digits, starting with a letter. */
export const SHOW_ID = /^[a-z][a-z0-9]{0,31}$/;
const SEAT_ID = /^([a-z][a-z0-9]{0,31})-([1-9][0-9]{0,5})$/;

export interface Show {
  readonly id: string;
  readonly seats: number;
}

export type ParsedShows =
  { ok: true; shows: ReadonlyMap<string, Show> } | { ok: false; problems: string[] };

/** Parses `id:count,id:count`; every problem is reported. */
export function parseShows(text: string): ParsedShows {
  const shows = new Map<string, Show>();
  const problems: string[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^:]+):(\d+)$/.exec(item);
    const id = m?.[1] ?? '';
    const seats = Number(m?.[2]);
    if (!m || !SHOW_ID.test(id)) {
      problems.push(`"${item}": expected <id>:<seats> with id matching ${SHOW_ID.source}`);
    } else if (!Number.isInteger(seats) || seats < 1 || seats > 100_000) {
      problems.push(`"${item}": seat count must be an integer in [1, 100000]`);
    } else if (shows.has(id)) {
      problems.push(`"${item}": show ${id} is listed twice`);
    } else {
      shows.set(id, { id, seats });
    }
  }
  if (problems.length === 0 && shows.size === 0) problems.push('at least one show is required');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, shows };
}

/** The shows on offer and their seats. */
export class Catalogue {
  constructor(readonly shows: ReadonlyMap<string, Show>) {}

  /** Builds a catalogue from `BOOKING_SHOWS` text; throws on bad text (config checked it). */
  static fromText(text: string): Catalogue {
    const parsed = parseShows(text);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return new Catalogue(parsed.shows);
  }

  /** The show a seat belongs to, or undefined when the seat does not exist. */
  showOf(seatId: string): Show | undefined {
    const m = SEAT_ID.exec(seatId);
    if (!m) return undefined;
    const show = this.shows.get(m[1]!);
    return show && Number(m[2]) <= show.seats ? show : undefined;
  }

  /** Seat ids of a show, numbers `from`..`from + count - 1` that exist. */
  seatIds(show: Show, from: number, count: number): string[] {
    const ids: string[] = [];
    for (let n = from; n < from + count && n <= show.seats; n++) ids.push(`${show.id}-${n}`);
    return ids;
  }
}
