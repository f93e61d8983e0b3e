/**
 * The admin token: either provided in the token file (on Kubernetes a mounted Secret, so the
 * controller knows it) or random, generated at each start and written to a file only its owner
 * can read (0600), atomically (temp file + rename), so a reader never sees half a token.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token already in `path` (trimmed), or `undefined` when the file is missing or blank.
 * Synchronous because the admin API's auth is built from the token in the agent's constructor.
 */
export function readProvidedToken(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const token = text.trim();
  return token.length > 0 ? token : undefined;
}

export async function writeTokenFile(path: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // 'wx' + 0600: created fresh with owner-only permissions (umask can only remove bits).
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${token}\n`);
    await fh.chmod(0o600);
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
    await chmod(path, 0o600);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
