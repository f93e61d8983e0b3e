import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkListSchema, linksJsonSchema } from './link-spec.js';

test('links parse from host:port strings, numbers and objects, with defaults', () => {
  const links = linkListSchema.parse([
    { name: 'redis', target: '127.0.0.1:6379' },
    { name: 'etcd-0', listen: 12379, target: { host: 'localhost', port: 2379 } },
    {
      name: 'booking',
      listen: '[::1]:0',
      target: '127.0.0.1:8080',
      protocol: 'http',
      kind: 'inbound',
    },
  ]);
  assert.deepEqual(links[0], {
    name: 'redis',
    listen: { host: '127.0.0.1', port: 0 },
    target: { host: '127.0.0.1', port: 6379 },
    protocol: 'tcp',
    kind: 'outbound',
  });
  assert.deepEqual(links[1]!.listen, { host: '127.0.0.1', port: 12379 });
  assert.deepEqual(links[2]!.listen, { host: '::1', port: 0 });
});

test('FAULTLINE_AGENT_LINKS errors name each bad field', () => {
  const r = linksJsonSchema.safeParse(
    JSON.stringify([
      { name: 'a', target: 'nope' },
      { name: 'a', target: '1.2.3.4:99999' },
    ]),
  );
  assert.ok(!r.success);
  const messages = r.error.issues.map((i) => i.message).join('\n');
  assert.match(messages, /links\.0\.target/);
  assert.match(messages, /links\.1\.target/);
  assert.ok(!linksJsonSchema.safeParse('not json').success);
});
