import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConfigError } from '@faultline/kit/config';
import { parseGatewayConfig } from './config.js';

const base = { GATEWAY_ADMIN_TOKEN: 'secret-token' };
const upstreams = (u: unknown) => JSON.stringify(u);

test('a minimal upstream gets its defaults', () => {
  const c = parseGatewayConfig({
    ...base,
    GATEWAY_UPSTREAMS: upstreams([
      {
        name: 'booking',
        discovery: { kind: 'static', backends: ['127.0.0.1:8081', '10.0.0.2:80*3'] },
      },
    ]),
  });
  const u = c.UPSTREAMS[0]!;
  assert.equal(u.prefix, '/');
  assert.equal(u.picker, 'round-robin');
  assert.equal(u.hashOn, 'source-ip');
  assert.equal(u.sticky, undefined);
  assert.deepEqual(u.discovery, {
    kind: 'static',
    backends: [
      { host: '127.0.0.1', port: 8081, weight: 1 },
      { host: '10.0.0.2', port: 80, weight: 3 },
    ],
  });
  assert.equal(c.PORT, 8080);
  assert.equal(c.ADMIN_PORT, 9901);
});

const bad: { name: string; env: Record<string, string>; expect: RegExp[] }[] = [
  {
    name: 'nothing set',
    env: {},
    expect: [/GATEWAY_ADMIN_TOKEN: required/, /GATEWAY_UPSTREAMS: required/],
  },
  {
    name: 'not JSON',
    env: { ...base, GATEWAY_UPSTREAMS: '[{' },
    expect: [/GATEWAY_UPSTREAMS: not valid JSON/],
  },
  {
    name: 'unknown picker, by JSON path',
    env: {
      ...base,
      GATEWAY_UPSTREAMS: upstreams([
        { name: 'a', picker: 'fastest', discovery: { kind: 'static', backends: ['h:1'] } },
      ]),
    },
    expect: [/GATEWAY_UPSTREAMS: 0\.picker: /],
  },
  {
    name: 'bad backend address',
    env: {
      ...base,
      GATEWAY_UPSTREAMS: upstreams([
        { name: 'a', discovery: { kind: 'static', backends: ['nope'] } },
      ]),
    },
    expect: [/0\.discovery\.backends\.0: expected "host:port"/],
  },
  {
    name: 'duplicate names and prefixes',
    env: {
      ...base,
      GATEWAY_UPSTREAMS: upstreams([
        { name: 'a', discovery: { kind: 'static', backends: ['h:1'] } },
        { name: 'a', discovery: { kind: 'static', backends: ['h:2'] } },
      ]),
    },
    expect: [/a: duplicate upstream name/, /a: duplicate prefix \//],
  },
  {
    name: 'TCP upstream that does not exist',
    env: {
      ...base,
      GATEWAY_TCP_UPSTREAM: 'ghost',
      GATEWAY_UPSTREAMS: upstreams([
        { name: 'a', discovery: { kind: 'static', backends: ['h:1'] } },
      ]),
    },
    expect: [/GATEWAY_TCP_UPSTREAM: no upstream named "ghost"/],
  },
  {
    name: 'bad hashOn and numbers',
    env: {
      ...base,
      GATEWAY_MAX_ATTEMPTS: '0',
      GATEWAY_UPSTREAMS: upstreams([
        { name: 'a', hashOn: 'body', discovery: { kind: 'static', backends: ['h:1'] } },
      ]),
    },
    expect: [
      /GATEWAY_MAX_ATTEMPTS: expected an integer >= 1/,
      /0\.hashOn: expected "header:<name>"/,
    ],
  },
];

for (const c of bad) {
  test(`rejected: ${c.name} (every problem listed)`, () => {
    try {
      parseGatewayConfig(c.env);
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(isConfigError(e), String(e));
      for (const re of c.expect) assert.match(e.message, re);
    }
  });
}
