/**
 * `make demo`'s short tour of a running playground: bookings through the gateway (and a
 * double booking refused), the scheduler's leader, and a sticky session next to a
 * non-sticky one — then where to look next.
 */
import type { PlaygroundState } from '../local/state-file.js';

type Say = (line: string) => void;

interface Jar {
  cookies: Map<string, string>;
}

function cookieHeader(jar: Jar): string {
  return [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

function keepCookies(jar: Jar, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const at = pair!.indexOf('=');
    jar.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
  }
}

async function call(
  url: string,
  init: RequestInit & { jar?: Jar } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = new Headers(init.headers);
  if (init.jar?.cookies.size) headers.set('cookie', cookieHeader(init.jar));
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(5000) });
  if (init.jar) keepCookies(init.jar, res);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

export async function runTour(state: PlaygroundState, say: Say): Promise<void> {
  const gw = state.urls.gateway;
  const json = { 'content-type': 'application/json' };
  say('— tour 1/3: bookings through the gateway (Redis lock + fencing token per seat)');
  for (const [seatId, userId] of [
    ['gala-1', 'ada'],
    ['gala-2', 'grace'],
    ['gala-1', 'edsger'],
  ] as const) {
    const r = await call(`${gw}/bookings`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ seatId, userId }),
    });
    say(
      r.status === 201
        ? `  POST /bookings ${seatId} for ${userId} → 201, fencing token ${String(r.body.fencingToken)}`
        : `  POST /bookings ${seatId} for ${userId} → ${r.status} ${JSON.stringify(r.body.error ?? '')} (the seat is taken: never booked twice)`,
    );
  }

  say('— tour 2/3: the scheduler leader (etcd election; every job write fenced by the term)');
  const leader = await call(`${gw}/leader`);
  say(
    `  GET /leader → leader ${String(leader.body.leader)}, term ${String(leader.body.term)} (answered by ${String(leader.body.me)})`,
  );

  say(
    "— tour 3/3: sessions live in one replica's memory; the gateway's sticky cookie keeps you there",
  );
  const sticky: Jar = { cookies: new Map() };
  await call(`${gw}/sessions`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ userId: 'ada' }),
    jar: sticky,
  });
  const withSticky: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await call(`${gw}/sessions/me`, { jar: sticky });
    withSticky.push(
      `${String(r.body.instance)}:${r.status === 200 ? String(r.body.cache) : 'miss'}`,
    );
  }
  say(`  with the sticky cookie:    ${withSticky.join('  ')}`);
  const loose: Jar = { cookies: new Map() };
  await call(`${gw}/sessions`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ userId: 'grace' }),
    jar: loose,
  });
  const withoutSticky: string[] = [];
  for (let i = 0; i < 4; i++) {
    loose.cookies.delete('faultline_gw'); // drop the gateway's affinity, keep the session
    const r = await call(`${gw}/sessions/me`, { jar: loose });
    withoutSticky.push(
      `${String(r.body.instance)}:${r.status === 200 ? String(r.body.cache) : 'miss'}`,
    );
  }
  say(`  without the sticky cookie: ${withoutSticky.join('  ')}`);

  say('— where to look');
  say(`  faultline status                   pods, readiness, leader, restarts`);
  say(
    `  ${state.urls.prometheus}/graph   e.g. sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count[1m]))`,
  );
  say(
    `  ${state.urls.gatewayAdmin}/admin/backends   (Authorization: Bearer ${state.gatewayAdminToken})`,
  );
  if (state.urls.jaeger)
    say(
      `  faultline traces --service booking --slowest 5 --since 5m   traces as waterfalls (API: ${state.urls.jaeger}/api/traces; no web UI locally)`,
    );
  say(`  ${state.tracing.note}`);
  say('  try: kill -9 the leader (faultline status --json shows pids) and watch /leader change');
  say(
    '  try: faultline chaos run chaos/examples/redis-latency-200ms.yaml   one experiment: apply, verify, recover',
  );
  say('  try: faultline gameday run gamedays/booking-under-chaos.yaml --phase-scale 0.2');
  say(
    '       a game day in about 75 s: load, a chaos schedule, checkers, a verdict and its reports',
  );
}
