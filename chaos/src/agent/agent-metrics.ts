/**
 * The agent's own series, registered in the app's per-instance Registry: which faults are
 * active, how many were applied and removed (and why), and traffic per link and direction.
 * Byte and connection counts are read from the sockets at scrape time, so the idle path does
 * no per-chunk bookkeeping.
 */
import client, { type Registry } from 'prom-client';
import type { ProxyLink } from './proxy-link.js';

/** Why a fault ended: a client removed it, its TTL ran out, or a new fault replaced it. */
export type RemovalReason = 'removed' | 'expired' | 'replaced';

export interface AgentMetrics {
  readonly faultActive: client.Gauge<'fault' | 'link' | 'experiment'>;
  readonly faultApplied: client.Counter<'fault' | 'link' | 'experiment'>;
  readonly faultRemoved: client.Counter<'fault' | 'link' | 'experiment' | 'reason'>;
}

// prom-client's Registry generic is its content type; any registry works here.
type AnyRegistry = Registry<client.RegistryContentType>;

export function createAgentMetrics(
  registry: AnyRegistry,
  links: () => Iterable<ProxyLink>,
): AgentMetrics {
  const registers = [registry];
  const faultActive = new client.Gauge({
    name: 'faultline_fault_active',
    help: 'Faults active in this agent (1 while active).',
    labelNames: ['fault', 'link', 'experiment'] as const,
    registers,
  });
  const faultApplied = new client.Counter({
    name: 'faultline_fault_applied_total',
    help: 'Faults applied by this agent.',
    labelNames: ['fault', 'link', 'experiment'] as const,
    registers,
  });
  const faultRemoved = new client.Counter({
    name: 'faultline_fault_removed_total',
    help: 'Faults that ended, by reason (removed, expired, replaced).',
    labelNames: ['fault', 'link', 'experiment', 'reason'] as const,
    registers,
  });
  // Counters fed from socket totals at scrape time: add what grew since the last scrape.
  const reported = new Map<string, number>();
  const grow = (
    c: client.Counter<string>,
    name: string,
    labels: Record<string, string>,
    total: number,
  ) => {
    const key = `${name}|${Object.values(labels).join('|')}`;
    const delta = total - (reported.get(key) ?? 0);
    if (delta > 0) c.inc(labels, delta);
    reported.set(key, total);
  };
  new client.Counter({
    name: 'faultline_agent_link_bytes_total',
    help: 'Bytes received by a link, by direction (upstream: from the client; downstream: from the target).',
    labelNames: ['link', 'direction'] as const,
    registers,
    collect() {
      for (const l of links()) {
        const b = l.bytes();
        grow(this, 'bytes', { link: l.name, direction: 'upstream' }, b.upstream);
        grow(this, 'bytes', { link: l.name, direction: 'downstream' }, b.downstream);
      }
    },
  });
  new client.Counter({
    name: 'faultline_agent_link_connections_total',
    help: 'Connections accepted by a link (including ones a fault refused).',
    labelNames: ['link'] as const,
    registers,
    collect() {
      for (const l of links()) grow(this, 'connections', { link: l.name }, l.acceptedConnections);
    },
  });
  new client.Gauge({
    name: 'faultline_agent_link_connections_active',
    help: 'Connections currently open through a link.',
    labelNames: ['link'] as const,
    registers,
    collect() {
      for (const l of links()) this.set({ link: l.name }, l.activeConnections);
    },
  });
  return { faultActive, faultApplied, faultRemoved };
}
