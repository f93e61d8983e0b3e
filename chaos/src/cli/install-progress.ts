/**
 * Progress while `helm upgrade --install --wait` waits: every two seconds the release's pods
 * from the API, and a line whenever the picture changes — how many are ready, which are not,
 * what each waits for (its phase, the container state's reason, unready containers) and its
 * latest event, so "ImagePullBackOff" or "FailedScheduling" shows while helm is still silent.
 */
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

const MAX_NAMED = 4;

export interface ProgressWatch {
  stop(): void;
}

export function watchInstall(
  kc: KubeConfig,
  namespace: string,
  log: (line: string) => void,
  everyMs = 2000,
): ProgressWatch {
  const core = kc.makeApiClient(CoreV1Api);
  let last = '';
  let stopped = false;
  const tick = async () => {
    try {
      const [pods, events] = await Promise.all([
        core.listNamespacedPod({ namespace }),
        core.listNamespacedEvent({ namespace }),
      ]);
      const line = progressLine(pods.items, events.items);
      if (line !== last && !stopped) log(`  wait | ${line}`);
      last = line;
    } catch (e) {
      const line = `cannot list pods yet: ${(e as Error).message.split('\n')[0]}`;
      if (line !== last && !stopped) log(`  wait | ${line}`);
      last = line;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  void tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** One line for the current pods (helm test pods excluded: they run only in `helm test`). */
export function progressLine(pods: readonly V1Pod[], events: readonly CoreV1Event[]): string {
  const current = pods.filter((p) => !p.metadata?.annotations?.['helm.sh/hook']);
  if (current.length === 0) return 'no pods yet (creating the release objects)';
  const waiting = current.filter((p) => !isReady(p));
  const head = `${current.length - waiting.length}/${current.length} pods ready`;
  if (waiting.length === 0) return `${head}; waiting for helm to see the workloads ready`;
  const named = waiting
    .slice(0, MAX_NAMED)
    .map((p) => `${p.metadata?.name} (${waitingFor(p)}${lastEvent(p, events)})`);
  const more = waiting.length > MAX_NAMED ? `, +${waiting.length - MAX_NAMED} more` : '';
  return `${head}; waiting: ${named.join(', ')}${more}`;
}

function isReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function waitingFor(p: V1Pod): string {
  const containers = [
    ...(p.status?.initContainerStatuses ?? []),
    ...(p.status?.containerStatuses ?? []),
  ];
  const reason = containers.map((c) => c.state?.waiting?.reason).find((r) => r !== undefined);
  if (reason) return reason;
  const unready = (p.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
  if (p.status?.phase === 'Running' && unready.length > 0)
    return `not ready: ${unready.join(', ')}`;
  return p.status?.phase ?? 'Pending';
}

function lastEvent(p: V1Pod, events: readonly CoreV1Event[]): string {
  const name = p.metadata?.name;
  const time = (e: CoreV1Event) =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
  const mine = events
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === name)
    .sort((a, b) => time(b) - time(a))[0];
  if (!mine) return '';
  const message = (mine.message ?? '').replace(/\s+/g, ' ').slice(0, 100);
  return `; last event: ${mine.reason ?? '?'}${message ? ` ${message}` : ''}`;
}
