// @ts-check
/**
 * The k6 side of a scenario: options (executor, VUs, thresholds from the SLOs) and one
 * iteration = one journey step, built from the compiled scenario JSON — the same data the
 * embedded generator uses (loadtests/src/operations.ts fills the same placeholders).
 * Environment: BASE_URL (the gateway), RATE (requests/s; the peak of a ramping scenario),
 * DURATION (constant-rate scenarios only).
 */
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';

/**
 * @typedef {object} Step
 * @property {string} op
 * @property {number} weight
 * @property {'GET' | 'POST'} method
 * @property {string} route
 * @property {string} path
 * @property {Record<string, string>} [body]
 * @property {number} idempotencyKeyShare
 * @property {number} retries
 * @property {Record<string, string>} tags
 */

/**
 * @typedef {object} CompiledScenario
 * @property {string} name
 * @property {import('k6/options').ConstantArrivalRateScenario | import('k6/options').RampingArrivalRateScenario} arrival
 * @property {string} timeout
 * @property {{ show: string, from: number, count: number }} seats
 * @property {Step[]} journey
 * @property {Record<string, import('k6/options').Threshold[]>} thresholds
 */

/** What the SLOs call good: any answer below 500 (a taken seat, 409, is the client's business). */
const CHECK = 'status < 500';
const SESSION_COOKIE = 'booking_session';

/**
 * @param {CompiledScenario} c
 * @returns {{ options: import('k6/options').Options, iteration: () => void }}
 */
export function makeScenario(c) {
  const base = (__ENV.BASE_URL || 'http://gateway').replace(/\/$/, '');
  // The same rule as the SLOs: only 5xx and no answer count as failed.
  http.setResponseCallback(http.expectedStatuses({ min: 100, max: 499 }));

  /** @type {import('k6/options').Options} */
  const options = {
    scenarios: { [c.name]: arrivalWithOverrides(c.arrival) },
    thresholds: c.thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };

  const total = c.journey.reduce((n, s) => n + s.weight, 0);
  const openSession = c.journey.find((s) => s.op === 'open-session');

  function iteration() {
    let step = pick(c.journey, total);
    const userId = `load-vu${exec.vu.idInTest}`;
    // A user must open a session before reading it (the cookie jar is this VU's).
    if (
      step.op === 'session-me' &&
      openSession &&
      !http.cookieJar().cookiesForURL(base)[SESSION_COOKIE]
    )
      step = openSession;
    const seatId = `${c.seats.show}-${c.seats.from + Math.floor(Math.random() * c.seats.count)}`;
    /** @param {string} t */
    const fill = (t) =>
      t.replace(/\{(seatId|showId|userId)\}/g, (_, k) =>
        k === 'seatId' ? seatId : k === 'showId' ? c.seats.show : userId,
      );
    /** @type {Record<string, string>} */
    const headers = {};
    let body = null;
    if (step.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(
        Object.fromEntries(Object.entries(step.body).map(([k, v]) => [k, fill(v)])),
      );
    }
    const keyed = step.op === 'book' && Math.random() < step.idempotencyKeyShare;
    if (keyed)
      headers['idempotency-key'] =
        `k6-${exec.scenario.name}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}-${Date.now()}`;
    const params = { headers, timeout: c.timeout, tags: { ...step.tags, name: step.route } };
    let res = http.request(step.method, `${base}${fill(step.path)}`, body, params);
    // Retry a keyed booking with the same key after a network error (status 0: no answer).
    for (let attempt = 1; keyed && res.status === 0 && attempt <= step.retries; attempt++) {
      sleep(0.05 * attempt);
      res = http.request(step.method, `${base}${fill(step.path)}`, body, params);
    }
    check(res, { [CHECK]: (r) => r.status > 0 && r.status < 500 }, step.tags);
  }

  return { options, iteration };
}

/**
 * k6 executor options with RATE / DURATION from the environment applied.
 * @param {CompiledScenario['arrival']} a
 */
function arrivalWithOverrides(a) {
  const rate = __ENV.RATE ? Number(__ENV.RATE) : undefined;
  const duration = __ENV.DURATION;
  if (a.executor === 'constant-arrival-rate') {
    return {
      ...a,
      ...(rate ? { rate, timeUnit: '1s' } : {}),
      ...(duration ? { duration } : {}),
    };
  }
  if (!rate) return a;
  // Ramping: scale every stage so the peak is RATE per second (the shape is kept).
  const startRate = a.startRate ?? 0;
  const peak = Math.max(startRate, ...a.stages.map((s) => s.target));
  const scale = peak > 0 ? (rate * timeUnitSeconds(a.timeUnit ?? '1s')) / peak : 1;
  return {
    ...a,
    startRate: Math.round(startRate * scale),
    stages: a.stages.map((s) => ({ target: Math.round(s.target * scale), duration: s.duration })),
  };
}

/** @param {string} t such as 1s, 1m */
function timeUnitSeconds(t) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(t);
  if (!m) return 1;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[/** @type {'ms'|'s'|'m'|'h'} */ (m[2])];
}

/**
 * @param {Step[]} steps
 * @param {number} total
 */
function pick(steps, total) {
  let x = Math.random() * total;
  for (const s of steps) if ((x -= s.weight) < 0) return s;
  return steps[steps.length - 1];
}
