import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { env, isConfigError, parseConfig } from './config.js';

const shape = {
  PORT: env.port(8080),
  REDIS_URL: env.string(),
  FENCING: env.bool(true),
  RATIO: env.number(1, 0, 1),
  MODE: env.oneOf(['a', 'b'] as const, 'a'),
  PEERS: env.list(),
};

test('defaults apply and values are typed', () => {
  const c = parseConfig('SVC', shape, { SVC_REDIS_URL: 'redis://x', SVC_PEERS: 'a, b,,c' });
  assert.deepEqual(c, {
    PORT: 8080,
    REDIS_URL: 'redis://x',
    FENCING: true,
    RATIO: 1,
    MODE: 'a',
    PEERS: ['a', 'b', 'c'],
  });
  assert.ok(Object.isFrozen(c));
});

test('every bad or missing variable is listed by its full name', () => {
  try {
    parseConfig('SVC', shape, {
      SVC_PORT: 'http',
      SVC_FENCING: 'maybe',
      SVC_RATIO: '2',
      SVC_MODE: 'z',
    });
    assert.fail('expected a ConfigError');
  } catch (e) {
    assert.ok(isConfigError(e));
    const text = e.problems.join('\n');
    for (const name of ['SVC_PORT', 'SVC_REDIS_URL', 'SVC_FENCING', 'SVC_RATIO', 'SVC_MODE']) {
      assert.match(text, new RegExp(name), `${name} should be named`);
    }
    assert.equal(e.problems.length, 5);
    assert.match(text, /SVC_REDIS_URL: .*\(missing\)/);
    assert.match(text, /SVC_PORT: expected a number \(got "http"\)/);
  }
});

test('refinements across fields are reported', () => {
  assert.throws(
    () =>
      parseConfig('S', { A: env.int(1), B: env.int(2) }, { S_A: '5' }, (c) =>
        c.A > c.B ? ['S_A must be <= S_B'] : [],
      ),
    /S_A must be <= S_B/,
  );
});

test('loadConfig exits non-zero with every problem on stderr', () => {
  const script = `
    import { loadConfig, env } from ${JSON.stringify(fileURLToPath(new URL('./config.js', import.meta.url)))};
    loadConfig('DEMO', { PORT: env.port(1), NAME: env.string() });
    console.log('should not get here');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, DEMO_PORT: '99999' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /DEMO_PORT: expected an integer <= 65535/);
  assert.match(r.stderr, /DEMO_NAME: /);
  assert.doesNotMatch(r.stdout, /should not get here/);
});
