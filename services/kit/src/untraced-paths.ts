/**
 * Paths that are infrastructure, not traffic: probes and scrapes. They are never traced,
 * never rate limited and never subject to injected faults — a "sick" pod must not fail its
 * probes for the wrong reason, and scrapes must keep showing what is going on.
 */
export const INFRA_PATHS = ['/livez', '/readyz', '/startupz', '/metrics'] as const;

export function isUntracedPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return (INFRA_PATHS as readonly string[]).includes(path);
}
