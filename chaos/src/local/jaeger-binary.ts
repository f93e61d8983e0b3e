/**
 * Where the local Jaeger v2 binary is: the per-user cache that scripts/jaeger-binary.sh builds
 * into, else a `jaeger` on PATH. When there is none, a sentence saying why and how to get one.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './preflight.js';

/** The Jaeger release whose `cmd/jaeger` is the v2 binary; scripts/jaeger-binary.sh pins the same. */
export const JAEGER_VERSION = 'v1.76.0';

/** `${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}/jaeger-<version>/bin/jaeger`. */
export function cachedJaegerPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.FAULTLINE_CACHE ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'faultline');
  return join(cache, `jaeger-${JAEGER_VERSION}`, 'bin', 'jaeger');
}

export type JaegerLookup = { found: true; binary: string } | { found: false; reason: string };

export function findJaeger(env: NodeJS.ProcessEnv = process.env): JaegerLookup {
  const cached = cachedJaegerPath(env);
  const binary = findBinary(cached) ?? findBinary('jaeger', env.PATH ?? '');
  if (binary) return { found: true, binary };
  const go = findBinary('go', env.PATH ?? '') ?? findBinary('/usr/local/go/bin/go');
  return {
    found: false,
    reason: go
      ? `no Jaeger binary at ${cached} nor on PATH; build it with scripts/jaeger-binary.sh (make up does; the first build takes minutes)`
      : `no Jaeger binary at ${cached} nor on PATH, and Go is not installed to build one; install Go (https://go.dev/dl/), then run scripts/jaeger-binary.sh`,
  };
}
