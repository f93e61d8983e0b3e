/**
 * Turns a scheduled arrival into a concrete request: which step (by weight), which seat, which
 * user, whether a booking carries an Idempotency-Key. Seeded, so a scenario sends the same
 * sequence every run. The k6 scripts make the same choices from the same compiled JSON.
 */
import type { Random } from '@faultline/kit/seeded-random';
import type { CompiledScenario, CompiledStep } from './compiled-scenario.js';
import { fill } from './operations.js';

export interface PlannedRequest {
  stepIndex: number;
  step: CompiledStep;
  seatId: string;
  showId: string;
  /** Path with placeholders filled. */
  path: string;
  /** JSON body text, when the operation has one. */
  body?: string;
  idempotencyKey?: string;
}

/** booking's session cookie (services/booking/src/sessions.ts). */
export const SESSION_COOKIE = 'booking_session';

/** Weighted step picker over a compiled journey. */
export class JourneyPlanner {
  readonly #cumulative: number[];
  readonly #total: number;
  readonly #openSession: number;

  constructor(
    readonly scenario: CompiledScenario,
    readonly random: Random,
    /** Prefix that makes keys unique per run (a rerun must not replay the last run's answers). */
    readonly keyPrefix: string,
  ) {
    let sum = 0;
    this.#cumulative = scenario.journey.map((s) => (sum += s.weight));
    this.#total = sum;
    this.#openSession = scenario.journey.findIndex((s) => s.op === 'open-session');
  }

  /** `hasSession`: the user's jar holds a session cookie; without one, session-me opens a session. */
  plan(seq: number, userId: string, hasSession: boolean): PlannedRequest {
    const x = this.random() * this.#total;
    let stepIndex = this.#cumulative.findIndex((c) => x < c);
    if (stepIndex < 0) stepIndex = this.#cumulative.length - 1;
    if (
      this.scenario.journey[stepIndex]!.op === 'session-me' &&
      !hasSession &&
      this.#openSession >= 0
    )
      stepIndex = this.#openSession;
    const step = this.scenario.journey[stepIndex]!;
    const { show, from, count } = this.scenario.seats;
    const seatId = `${show}-${from + Math.floor(this.random() * count)}`;
    const values = { seatId, showId: show, userId };
    const keyed = step.op === 'book' && this.random() < step.idempotencyKeyShare;
    return {
      stepIndex,
      step,
      seatId,
      showId: show,
      path: fill(step.path, values),
      ...(step.body
        ? {
            body: JSON.stringify(
              Object.fromEntries(Object.entries(step.body).map(([k, v]) => [k, fill(v, values)])),
            ),
          }
        : {}),
      ...(keyed ? { idempotencyKey: `${this.keyPrefix}-${seq}` } : {}),
    };
  }
}
