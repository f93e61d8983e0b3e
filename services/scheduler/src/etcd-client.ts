/**
 * The etcd3 client as the scheduler needs it: unary calls bounded by a deadline (a silent
 * network must not hang a campaign forever), and watch streams that reconnect within a
 * second instead of etcd3's default back-off of up to 30 s (a follower's view of the leader
 * would lag that long after an outage).
 */
import { Etcd3, type IOptions } from 'etcd3';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type WatchBackoff = NonNullable<FaultHandling['watchBackoff']>;
type HostPolicy = ReturnType<NonNullable<FaultHandling['host']>>;

/**
 * No per-host circuit breaker. etcd3's default opens a host's breaker for 5 s after three
 * failed calls of any kind; with one endpoint that turned a few cancelled streams into 5 s
 * without etcd — a new leader unable to read its own term. Retries across hosts remain.
 */
const passThrough = {
  execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
  onSuccess: () => ({ dispose: () => undefined }),
  onFailure: () => ({ dispose: () => undefined }),
} as unknown as HostPolicy;

/** Doubling from 100 ms, capped at 1 s. */
function cappedBackoff(ms: number): WatchBackoff {
  return { duration: ms, next: () => cappedBackoff(Math.min(ms * 2, 1000)) };
}

export function createEtcdClient(endpoints: string[], callTimeoutMs: number): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: callTimeoutMs,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    faultHandling: { watchBackoff: cappedBackoff(100), host: () => passThrough },
    grpcOptions: {
      // Detect a silent connection (etcd rejects pings more often than every 5 s).
      'grpc.keepalive_time_ms': 5000,
      'grpc.keepalive_timeout_ms': 2000,
    },
  });
}
