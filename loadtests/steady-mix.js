// @ts-check
/**
 * k6: the steady-mix scenario (scenarios/steady-mix.yaml, compiled to scenarios/steady-mix.json because k6
 * reads no YAML). Run: k6 run -o experimental-prometheus-rw loadtests/steady-mix.js
 * with BASE_URL=http://<gateway>, and K6_PROMETHEUS_RW_SERVER_URL=http://<prometheus>/api/v1/write
 * K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true (see loadtests/README.md).
 */
import { makeScenario } from './lib/journey.js';

const scenario = makeScenario(JSON.parse(open('./scenarios/steady-mix.json')));

export const options = scenario.options;
export default scenario.iteration;
