/**
 * `make dashboards`: writes `generated/` from the dashboards' code, removing files that no
 * dashboard produces any more.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from './paths.js';
import { renderAll } from './render.js';

export const GENERATED_DIR = join(packageRoot, 'generated');

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export async function generate(dir = GENERATED_DIR): Promise<string[]> {
  const files = await renderAll();
  mkdirSync(dir, { recursive: true });
  for (const stale of listFiles(dir)) if (!files.has(stale)) rmSync(join(dir, stale));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return [...files.keys()];
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const written = await generate();
  process.stdout.write(`dashboards: wrote ${String(written.length)} files to ${GENERATED_DIR}\n`);
}
