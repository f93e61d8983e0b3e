/**
 * One lease keep-alive round trip on its own gRPC stream, so its answer belongs to exactly
 * one send (what {@link LeaseGuard} needs to date its proof). etcd3's `Lease` keeps its own
 * renewal loop for the campaign; this one only adds evidence we can date.
 */
import type { Etcd3 } from 'etcd3';
import type { KeepAliveOnce } from './lease-guard.js';

/** A {@link KeepAliveOnce} for `leaseId` (decimal string) on `client`. */
export function etcdKeepAliveOnce(
  client: Etcd3,
  leaseId: string,
  timeoutMs: number,
): KeepAliveOnce {
  return async (signal) => {
    const stream = await client.leaseClient.leaseKeepAlive({ deadline: Date.now() + timeoutMs });
    try {
      return await new Promise<number>((resolve, reject) => {
        const abort = () => reject(new Error('keep-alive aborted'));
        if (signal.aborted) return abort();
        signal.addEventListener('abort', abort, { once: true });
        stream.on('data', (res: { TTL: string }) => resolve(Number(res.TTL)));
        stream.on('error', (err: Error) => reject(err));
        stream.on('end', () => reject(new Error('keep-alive stream ended')));
        stream.write({ ID: leaseId });
      });
    } finally {
      stream.end();
    }
  };
}
