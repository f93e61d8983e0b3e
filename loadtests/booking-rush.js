// @ts-check
/**
 * k6: the booking-rush scenario (scenarios/booking-rush.yaml, compiled to scenarios/booking-rush.json because k6
 * reads no YAML). Run: k6 run -o experimental-prometheus-rw loadtests/booking-rush.js
 * with BASE_URL=http://<gateway>, and K6_PROMETHEUS_RW_SERVER_URL=http://<prometheus>/api/v1/write
 * K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true (see loadtests/README.md).
 */
import { makeScenario } from './lib/journey.js';

const scenario = makeScenario(JSON.parse(open('./scenarios/booking-rush.json')));

export const options = scenario.options;
export default scenario.iteration;
