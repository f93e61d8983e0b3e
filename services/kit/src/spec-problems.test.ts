import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { formatSpecProblem, parseSpecText } from './spec-problems.js';

const schema = z.strictObject({
  name: z.string().min(1),
  replicas: z.int().min(1),
  ports: z.array(z.strictObject({ port: z.int().max(65535) })).min(1),
});

const problems = (text: string, wording = {}) => {
  const r = parseSpecText(text, 'f.yaml', schema, wording);
  return r.ok ? [] : r.problems.map(formatSpecProblem);
};

test('positions: a wrong scalar at itself, a missing field at its parent, an unknown key at the key', () => {
  const cases: [string, string, string[]][] = [
    [
      'wrong scalar',
      'name: x\nreplicas: zero\nports: [{port: 80}]\n',
      ['f.yaml:2:11: replicas: expected a number, got the string "zero"'],
    ],
    [
      'missing in a list item',
      'name: x\nreplicas: 1\nports:\n  - {}\n',
      ['f.yaml:4:5: ports.0.port: required; allowed: a number'],
    ],
    [
      'unknown key',
      'name: x\nreplicas: 1\nports: [{port: 80}]\nextra: 1\n',
      ['f.yaml:4:1: extra: Unrecognized key: "extra"'],
    ],
    [
      'out of range, and empty',
      'name: ""\nreplicas: 0\nports: [{port: 70000}]\n',
      [
        'f.yaml:1:7: name: must not be empty',
        'f.yaml:2:11: replicas: 0 is too small; allowed: >= 1',
        'f.yaml:3:16: ports.0.port: 70000 is too big; allowed: <= 65535',
      ],
    ],
    ['syntax error', 'name: [x\n', ['f.yaml:2:1: (document): YAML syntax error: ']],
  ];
  for (const [name, text, expected] of cases) {
    const got = problems(text);
    assert.equal(got.length, expected.length, `${name}:\n${got.join('\n')}`);
    expected.forEach((e, i) => assert.ok(got[i]!.startsWith(e), `${name}: ${got[i]} vs ${e}`));
  }
});

test('wording hooks: unknown fields and other messages in the caller words', () => {
  const got = problems('name: x\nreplicas: 0\nports: [{port: 80, host: h}]\n', {
    unknownField: (parent: readonly (string | number)[]) => `unknown under ${parent.join('.')}`,
    message: (_issue: unknown, input: unknown) => `bad ${JSON.stringify(input)}`,
  });
  assert.deepEqual(got, [
    'f.yaml:2:11: replicas: bad 0',
    'f.yaml:3:20: ports.0.host: unknown under ports.0',
  ]);
});

test('locate positions a later problem at a path of the same document', () => {
  const r = parseSpecText('name: x\nreplicas: 1\nports:\n  - port: 80\n', 'f.yaml', schema);
  assert.ok(r.ok);
  assert.equal(
    formatSpecProblem(r.locate(['ports', 0, 'port'], 'taken')),
    'f.yaml:4:11: ports.0.port: taken',
  );
});
