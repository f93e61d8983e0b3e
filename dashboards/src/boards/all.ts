/** Every dashboard, by the file name it is generated to (`generated/<name>.json`). */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bookingDashboard } from './booking.js';
import { chaosDashboard } from './chaos.js';
import { gatewayDashboard } from './gateway.js';
import { loadDashboard } from './load.js';
import { overviewDashboard } from './overview.js';
import { schedulerDashboard } from './scheduler.js';
import { slosDashboard } from './slos.js';

export const DASHBOARDS: Readonly<Record<string, () => Dashboard>> = {
  overview: overviewDashboard,
  booking: bookingDashboard,
  scheduler: schedulerDashboard,
  gateway: gatewayDashboard,
  chaos: chaosDashboard,
  slos: slosDashboard,
  load: loadDashboard,
};
