// Where a playground's traces go: its own Jaeger on the config's ports when the binary is
// there, else off with the reason; a user's OTLP endpoint wins; the config can opt out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { loadPlaygroundConfig } from '../src/local/playground-config.js';
import { portBlock, portsOf } from '../src/local/port-block.js';
import { tracingSetup } from '../src/local/tracing-setup.js';
import { buildPlan } from '../src/local/pod-plan.js';
import { cachedJaegerPath, findJaeger } from '../src/local/jaeger-binary.js';

const block = portBlock(23_000);
const config = loadPlaygroundConfig(undefined, { ports: block });
const found = () => ({ found: true as const, binary: '/opt/jaeger' });
const missing = () => ({ found: false as const, reason: 'no Jaeger binary at /x' });

test('with a binary: a stage-0 Jaeger pod on the block ports, every listener on loopback', () => {
  const t = tracingSetup(config, '/state', found, {});
  assert.equal(t.tracing.on, true);
  assert.equal(t.tracing.endpoint, `http://127.0.0.1:${block.jaegerOtlpHttp}`);
  assert.equal(t.jaegerUrl, `http://127.0.0.1:${block.jaegerQuery}`);
  assert.match(t.tracing.note, /no web UI/);
  const pod = t.jaeger!;
  assert.equal(pod.stage, 0);
  assert.equal(pod.command, '/opt/jaeger');
  assert.deepEqual(pod.args, ['--config=/state/jaeger.yaml']);
  assert.equal(pod.readyUrl, `http://127.0.0.1:${block.jaegerHealth}/status`);
  for (const p of [pod.port, ...pod.otherPorts])
    assert.ok(portsOf(block).includes(p), `${p} in block`);
  const yaml = parse(pod.files!['/state/jaeger.yaml']!) as {
    extensions: Record<string, Record<string, { endpoint?: string }>>;
    receivers: { otlp: { protocols: { http: { endpoint: string } } } };
  };
  assert.equal(yaml.receivers.otlp.protocols.http.endpoint, `127.0.0.1:${block.jaegerOtlpHttp}`);
  assert.equal(yaml.extensions.jaeger_query!.http!.endpoint, `127.0.0.1:${block.jaegerQuery}`);
  assert.equal(yaml.extensions.jaeger_query!.grpc!.endpoint, `127.0.0.1:${block.jaegerQueryGrpc}`);
  assert.match(pod.files!['/state/jaeger.yaml']!, /max_traces: 10000/);
});

test('without a binary: tracing is off and the note says why', () => {
  const t = tracingSetup(config, '/state', missing, {});
  assert.deepEqual(t, { tracing: { on: false, note: 'tracing is OFF: no Jaeger binary at /x' } });
});

test("a user's OTLP endpoint wins; tracing.jaeger: false opts out", () => {
  const user = tracingSetup(config, '/state', found, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
  });
  assert.equal(user.tracing.endpoint, 'http://c:4318');
  assert.equal(user.jaeger, undefined);
  const off = tracingSetup(
    loadPlaygroundConfig(undefined, { tracing: { jaeger: false } }),
    '/state',
    found,
    {},
  );
  assert.equal(off.tracing.on, false);
  assert.match(off.tracing.note, /tracing\.jaeger is false/);
});

test('the binary is looked for in the per-user cache first, then on PATH', () => {
  assert.equal(cachedJaegerPath({ FAULTLINE_CACHE: '/c' }), '/c/jaeger-v1.76.0/bin/jaeger');
  assert.equal(
    cachedJaegerPath({ XDG_CACHE_HOME: '/x', HOME: '/h' }),
    '/x/faultline/jaeger-v1.76.0/bin/jaeger',
  );
  assert.equal(cachedJaegerPath({ HOME: '/h' }), '/h/.cache/faultline/jaeger-v1.76.0/bin/jaeger');
  const none = findJaeger({ FAULTLINE_CACHE: '/nonexistent', PATH: '/nonexistent' });
  assert.equal(none.found, false);
  assert.match(!none.found ? none.reason : '', /scripts\/jaeger-binary\.sh/);
});

test('a bad sampling ratio in the playground config is named', () => {
  assert.throws(
    () => loadPlaygroundConfig(undefined, { tracing: { samplingRatio: 2 } }),
    /tracing\.samplingRatio: .*1/,
  );
});

test('tracing.samplingRatio reaches every traced service; unset leaves the default to the kit', () => {
  const plan = (c: typeof config) =>
    buildPlan({
      config: c,
      root: '/r',
      node: 'node',
      gatewayAdminToken: 't',
      otlpEndpoint: 'http://o',
    });
  const traced = (c: typeof config) =>
    plan(c).pods.filter((p) => p.env.OTEL_SERVICE_NAME !== undefined);
  const one = loadPlaygroundConfig(undefined, { tracing: { samplingRatio: 1 } });
  assert.equal(traced(one).length, 7, '3 booking, 3 scheduler, 1 gateway');
  for (const p of traced(one)) assert.equal(p.env.OTEL_TRACES_SAMPLER_ARG, '1', p.name);
  for (const p of traced(config)) assert.equal(p.env.OTEL_TRACES_SAMPLER_ARG, undefined, p.name);
});
