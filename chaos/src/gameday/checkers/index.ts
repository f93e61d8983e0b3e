/** Every checker by the name a game day asks for it. */
import type { CheckerName } from '../spec.js';
import { bookingHistoryChecker } from './booking-history.js';
import { bookingLedgerChecker } from './booking-ledger.js';
import type { Checker } from './checker.js';
import { gatewayStickyChecker } from './gateway-sticky.js';
import { schedulerTermsChecker } from './scheduler-terms.js';

export const CHECKERS = {
  'booking-ledger': bookingLedgerChecker,
  'booking-history': bookingHistoryChecker,
  'scheduler-terms': schedulerTermsChecker,
  'gateway-sticky': gatewayStickyChecker,
} as const satisfies Record<CheckerName, Checker>;
