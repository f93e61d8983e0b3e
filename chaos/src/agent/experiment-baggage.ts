/**
 * Marks requests that pass a link under an experiment's fault: the W3C `baggage` header gets
 * the entry `faultline.experiment=<id>`, which the kit's server span turns into the span
 * attribute `faultline.experiment` (and keeps in context, so the service's own outgoing calls
 * carry it on). Only the request head is rewritten; the body and `content-length` are untouched.
 */

/** The baggage key (and span attribute) that names the experiment affecting a request. */
export const EXPERIMENT_BAGGAGE_KEY = 'faultline.experiment';

const REQUEST_LINE = /^[A-Z]{3,7} \S+ HTTP\/1\.[01]\r?\n/;
/** Looked at for the request line and the head's end; larger heads get a header of their own. */
const HEAD_SCAN_BYTES = 16 * 1024;

/**
 * `chunk` with `faultline.experiment=<experiment>` in its `baggage` header, when the chunk
 * starts with a request line (else unchanged). An existing entry with that key is replaced (the
 * link the request is crossing now is the one whose experiment affects it), other entries are
 * kept in order, and several `baggage` lines are merged into the first. When the head does not
 * end within this chunk, a separate `baggage` line is added after the request line, which W3C
 * baggage allows (several headers combine like one comma-separated list).
 * `experiment` must be baggage-safe (the agent's ids are `A-Z a-z 0-9 . _ -`).
 */
export function withExperimentBaggage(chunk: Buffer, experiment: string): Buffer {
  // Bodies are the common case on a busy link: rule them out on a short prefix first.
  const line = REQUEST_LINE.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 2048)));
  if (!line) return chunk;
  const scan = chunk.toString('latin1', 0, Math.min(chunk.length, HEAD_SCAN_BYTES));
  const entry = `${EXPERIMENT_BAGGAGE_KEY}=${experiment}`;
  const eol = line[0].endsWith('\r\n') ? '\r\n' : '\n';
  const headEnd = scan.indexOf(eol + eol, line[0].length - eol.length);
  if (headEnd === -1) {
    return Buffer.concat([
      Buffer.from(`${line[0]}baggage: ${entry}${eol}`, 'latin1'),
      chunk.subarray(line[0].length),
    ]);
  }
  // No header fields at all when the blank line follows the request line directly.
  const fields = headEnd < line[0].length ? [] : scan.slice(line[0].length, headEnd).split(eol);
  const others: string[] = [];
  const members: string[] = [];
  let baggageName: string | undefined;
  for (const field of fields) {
    const colon = field.indexOf(':');
    const name = colon === -1 ? '' : field.slice(0, colon);
    if (name.trim().toLowerCase() !== 'baggage') {
      others.push(field);
      continue;
    }
    baggageName ??= name;
    for (const m of field.slice(colon + 1).split(',')) {
      const member = m.trim();
      if (member && baggageKey(member) !== EXPERIMENT_BAGGAGE_KEY) members.push(member);
    }
  }
  members.push(entry);
  const baggage = `${baggageName ?? 'baggage'}: ${members.join(',')}`;
  const head = [line[0].slice(0, -eol.length), baggage, ...others].join(eol);
  // The first `baggage` line moves up to right after the request line; header order is not
  // significant in HTTP except among lines of one name, and those are merged here.
  return Buffer.concat([Buffer.from(head, 'latin1'), chunk.subarray(headEnd)]);
}

/** The key of one list member (`key=value;prop`), trimmed. */
function baggageKey(member: string): string {
  const eq = member.indexOf('=');
  return (eq === -1 ? member : member.slice(0, eq)).trim();
}
