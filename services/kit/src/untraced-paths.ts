/**
 * Paths that are infrastructure, not traffic: probes and scrapes. They are never traced,
 * never rate limited and never subject to injected faults — a "sick" pod must not fail its
 * probes for the wrong reason, and scrapes must keep showing what is going on.
 */
export const INFRA_PATHS = ['/livez', '/readyz', '/startupz', '/metrics'] as const;
const INFRA = new Set<string>(INFRA_PATHS);

/**
 * The request's path, or undefined for an infrastructure path. Runs on every request: no
 * split, no allocation beyond the path itself.
 */
export function untracedPath(url: string): string | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return INFRA.has(path) ? undefined : path;
}
