#!/usr/bin/env node
// The `faultline` CLI. faultline runs on Node >= 22 (24 preferred); when an older `node`
// launched this script, re-run it on the project's own Node 24 (scripts/node-toolchain.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const root = join(here, '..', '..');
  const bin = execFileSync(join(root, 'scripts', 'node-toolchain.sh'), { encoding: 'utf8' }).trim();
  const r = spawnSync(
    join(bin, 'node'),
    [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    },
  );
  process.exit(r.status ?? 1);
}
try {
  await import('../dist/src/cli/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('cli/main.js')) {
    console.error('faultline: not built yet — run `make build` first');
    process.exit(1);
  }
  throw err;
}
