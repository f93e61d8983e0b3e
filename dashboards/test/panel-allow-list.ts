/**
 * Panels the no-empty-panel test may find empty, each with the reason and the test that
 * covers its series instead. Keep it short: an entry that matches no panel fails the test.
 */
import type { AllowedPanel } from '../src/panel-check.js';

export const ALLOWED_EMPTY: AllowedPanel[] = [
  {
    dashboard: 'faultline-load',
    why: 'k6_* series exist only while a load run feeds them (job faultline-load); covered by the load package tests that scrape its /metrics.',
  },
  {
    dashboard: 'faultline-slos',
    panel: 'Burn-rate alerts over time',
    why: 'ALERTS{alertname=~"SLOBurnRate.*"} exists only while budget burns; the promtool rule tests in slos/ make them fire.',
  },
  {
    dashboard: 'faultline-slos',
    panel: 'Firing burn-rate alerts',
    why: 'As above: firing burn-rate alerts need an outage; covered by the promtool rule tests in slos/.',
  },
];
