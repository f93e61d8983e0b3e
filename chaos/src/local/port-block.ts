/**
 * A playground on a free block of loopback ports, for tests and benchmarks that must never
 * collide with a running playground (or each other): the layout of one block, and a search
 * for a block whose every port is free.
 */
import { portIsFree } from './preflight.js';

export interface PortBlock {
  redis: number;
  etcdBase: number;
  bookingBase: number;
  schedulerBase: number;
  gateway: number;
  gatewayAdmin: number;
  prometheus: number;
  jaegerOtlpHttp: number;
  jaegerQuery: number;
  jaegerQueryGrpc: number;
  jaegerHealth: number;
}

export function portBlock(base: number): PortBlock {
  return {
    redis: base,
    etcdBase: base + 10,
    bookingBase: base + 20,
    schedulerBase: base + 30,
    gateway: base + 40,
    gatewayAdmin: base + 41,
    prometheus: base + 42,
    jaegerOtlpHttp: base + 43,
    jaegerQuery: base + 44,
    jaegerQueryGrpc: base + 45,
    jaegerHealth: base + 46,
  };
}

/** Every port a default-sized playground (3 etcd members, 3+3 replicas) uses in the block. */
export function portsOf(b: PortBlock): number[] {
  const members = [0, 1, 2];
  return [
    b.redis,
    ...members.flatMap((i) => [b.etcdBase + i, b.etcdBase + 100 + i, b.etcdBase + 200 + i]),
    ...members.flatMap((i) => [b.bookingBase + i, b.schedulerBase + i]),
    b.gateway,
    b.gatewayAdmin,
    b.prometheus,
    b.jaegerOtlpHttp,
    b.jaegerQuery,
    b.jaegerQueryGrpc,
    b.jaegerHealth,
  ];
}

/** A block below the kernel's ephemeral range, so outgoing connections never collide with it. */
export async function findFreePortBlock(attempts = 50): Promise<PortBlock> {
  for (let i = 0; i < attempts; i++) {
    const block = portBlock(20_000 + Math.floor(Math.random() * 1000) * 10);
    const free = await Promise.all(portsOf(block).map((p) => portIsFree(p)));
    if (free.every(Boolean)) return block;
  }
  throw new Error(`no free block of ports found in ${attempts} attempts`);
}

/** The playground YAML for a state directory and a port block. */
export function playgroundYaml(stateDir: string, b: PortBlock): string {
  return [
    `stateDir: ${stateDir}`,
    'ports:',
    ...Object.entries(b).map(([k, v]) => `  ${k}: ${String(v)}`),
    '',
  ].join('\n');
}
