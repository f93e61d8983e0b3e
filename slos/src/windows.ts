/**
 * Multiwindow, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8).
 * An alert fires when the error ratio over BOTH its long and its short window exceeds
 * `factor × error budget`; the long window makes it significant, the short one (long ÷ 12) makes
 * it stop soon after the errors stop. The factor is the burn rate at which `budgetShare` of the
 * whole period's budget is spent in one long window: factor = budgetShare × period ÷ long.
 *
 * Two sets:
 * - `standard`: the workbook's windows for a 30-day period (page 2 %/1 h and 5 %/6 h, ticket
 *   10 %/1 d and 10 %/3 d): factors 14.4, 6, 3, 1.
 * - `gameday`: the same alerts with time compressed 60× (30 d → 12 h, 1 h → 1 min), because a
 *   game day lasts minutes, not days. Constraints with the local 2 s scrape interval: every long
 *   window ≥ 4 scrapes and every short window (long ÷ 12) ≥ 2 scrapes, so that `rate()` over it
 *   always has two samples; the shortest long window is therefore 24 scrapes = 48 s, rounded up
 *   to 1 min. Factors come from the same formula over the compressed period, so they equal the
 *   standard ones, and a total outage of a 99.5 % SLO pages in 14.4 × 0.005 × 60 s ≈ 4.3 s.
 */
import { durationSeconds, formatDuration } from './duration.js';

export type Severity = 'page' | 'ticket';
export type WindowSetName = 'standard' | 'gameday';

/** One long/short window pair of an alert. */
export interface BurnRateWindow {
  severity: Severity;
  /** Share of the period's error budget this pair detects being spent within `long`. */
  budgetShare: number;
  /** Long window (Prometheus duration). */
  long: string;
  /** Short window, long ÷ 12 (Prometheus duration). */
  short: string;
  /** Burn rate that fires: budgetShare × period ÷ long. */
  factor: number;
}

/** A set of window pairs for one budget period. */
export interface WindowSet {
  name: WindowSetName;
  /** The period the budget shares refer to (Prometheus duration). */
  period: string;
  windows: readonly BurnRateWindow[];
}

/** The scrape interval the game-day windows are sized for (the local playground's, 2 s). */
export const SCRAPE_INTERVAL_SECONDS = 2;

/** How much shorter game-day time is than standard time. */
export const GAMEDAY_COMPRESSION = 60;

/** The workbook's pairs, as budget share and long window for a 30-day period. */
const STANDARD_PAIRS: readonly { severity: Severity; budgetShare: number; long: string }[] = [
  { severity: 'page', budgetShare: 0.02, long: '1h' },
  { severity: 'page', budgetShare: 0.05, long: '6h' },
  { severity: 'ticket', budgetShare: 0.1, long: '1d' },
  { severity: 'ticket', budgetShare: 0.1, long: '3d' },
];

/** budgetShare × period ÷ long (the SRE workbook's burn-rate threshold), rounded to 12 digits. */
export function burnRateFactor(budgetShare: number, periodSeconds: number, longSeconds: number) {
  return Number(((budgetShare * periodSeconds) / longSeconds).toPrecision(12));
}

/**
 * Seconds an alert needs to fire at a constant `errorRatio` starting from a clean long window:
 * factor × (1 − objective) × long ÷ errorRatio (the short window, 12× shorter, is over its
 * threshold sooner). Infinity when the ratio can never reach the threshold.
 */
export function detectionSeconds(
  w: Pick<BurnRateWindow, 'factor' | 'long'>,
  budget: number,
  errorRatio: number,
): number {
  const threshold = w.factor * budget;
  if (errorRatio <= threshold) return Infinity;
  return (threshold * durationSeconds(w.long)) / errorRatio;
}

/** The window sets for a budget period of `period` (the SLO's own window). */
export function windowSetsFor(period: string): readonly WindowSet[] {
  const periodS = durationSeconds(period);
  const pair = (share: number, longS: number, periodOf: number, severity: Severity) => ({
    severity,
    budgetShare: share,
    long: formatDuration(longS),
    short: formatDuration(longS / 12),
    factor: burnRateFactor(share, periodOf, longS),
  });
  const standard = STANDARD_PAIRS.map((p) =>
    pair(p.budgetShare, durationSeconds(p.long), periodS, p.severity),
  );
  const gameday = STANDARD_PAIRS.map((p) =>
    pair(
      p.budgetShare,
      durationSeconds(p.long) / GAMEDAY_COMPRESSION,
      periodS / GAMEDAY_COMPRESSION,
      p.severity,
    ),
  );
  return [
    { name: 'standard', period, windows: standard },
    { name: 'gameday', period: formatDuration(periodS / GAMEDAY_COMPRESSION), windows: gameday },
  ];
}

/** The window sets for the usual 30-day period: factors 14.4, 6, 3, 1 in both sets. */
export const WINDOW_SETS: readonly WindowSet[] = windowSetsFor('30d');

/** Every window (long and short) of every set, deduplicated, shortest first. */
export function allWindows(sets: readonly WindowSet[]): string[] {
  const all = new Set(sets.flatMap((s) => s.windows.flatMap((w) => [w.short, w.long])));
  return [...all].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}
