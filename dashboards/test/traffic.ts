/**
 * Traffic through the gateway that touches every panel's series: bookings (new, taken,
 * replayed and conflicting Idempotency-Keys, a bad body), seat reads (and an unknown seat),
 * sessions read back with and without the sticky cookie, the scheduler's /leader and /jobs.
 * Bounded in count; every request has a timeout.
 */

class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  forget(name: string): void {
    this.#cookies.delete(name);
  }
}

async function call(url: string, init: RequestInit = {}, jar?: CookieJar): Promise<number> {
  const headers = new Headers(init.headers);
  if (jar) headers.set('cookie', jar.header());
  try {
    const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(5000) });
    jar?.keep(res);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // a timeout under chaos is part of the traffic, not a test failure
  }
}

const json = { 'content-type': 'application/json' };
const book = (gw: string, body: object, key?: string) =>
  call(`${gw}/bookings`, {
    method: 'POST',
    headers: key ? { ...json, 'idempotency-key': key } : json,
    body: JSON.stringify(body),
  });

/** One round of mixed traffic; `round` picks seats and keys so rounds differ. */
export async function trafficRound(gw: string, round: number): Promise<number[]> {
  const seat = `gala-${String((round % 90) + 1)}`;
  const statuses = [
    await book(gw, { seatId: seat, userId: `ada-${String(round)}` }),
    await book(gw, { seatId: seat, userId: `grace-${String(round)}` }), // taken: 4xx
    await book(
      gw,
      { seatId: `matinee-${String(round % 90)}`, userId: 'u' },
      `key-${String(round)}`,
    ),
    await book(
      gw,
      { seatId: `matinee-${String(round % 90)}`, userId: 'u' },
      `key-${String(round)}`,
    ), // replayed
    await book(gw, { seatId: 'matinee-99', userId: 'v' }, `key-${String(round)}`), // conflict
    await book(gw, {}), // 400: names the bad fields
    await call(`${gw}/seats/${seat}`),
    await call(`${gw}/seats/no-such-seat`), // 404
    await call(`${gw}/shows`),
    await call(`${gw}/leader`),
    await call(`${gw}/jobs`),
  ];
  const sticky = new CookieJar();
  statuses.push(
    await call(
      `${gw}/sessions`,
      { method: 'POST', headers: json, body: '{"userId":"ada"}' },
      sticky,
    ),
  );
  for (let i = 0; i < 3; i++) statuses.push(await call(`${gw}/sessions/me`, {}, sticky));
  sticky.forget('faultline_gw'); // keep the session, drop the gateway's affinity: a cache miss somewhere
  for (let i = 0; i < 3; i++) statuses.push(await call(`${gw}/sessions/me`, {}, sticky));
  return statuses;
}

/** Rounds until `until` resolves or `maxRounds` ran, whichever is first. */
export async function trafficDuring<T>(
  gw: string,
  until: Promise<T>,
  maxRounds: number,
  onRound?: () => Promise<void>,
): Promise<T> {
  let done = false;
  const result = until.finally(() => (done = true));
  for (let r = 0; r < maxRounds && !done; r++) {
    await trafficRound(gw, 1000 + r);
    await onRound?.();
  }
  return result;
}
