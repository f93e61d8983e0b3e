// Runs every compiled test file (unit tests beside the code, integration tests under test/)
// with node:test. Arguments narrow the run to files whose path contains one of them.
import { globSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = globSync(
  [
    'services/*/dist/**/*.test.js',
    'chaos/dist/**/*.test.js',
    'slos/dist/**/*.test.js',
    'loadtests/dist/**/*.test.js',
    'dashboards/dist/**/*.test.js',
  ],
  {
    exclude: (p) => p.includes('node_modules'),
  },
)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(
    `run-tests: no test files matched ${filters.join(' ') || '(all)'}; did the build run?`,
  );
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
