/**
 * `faultline status --platform kubernetes`: the release's pods as the API sees them — service,
 * readiness, phase, restarts, age — and, for the scheduler, who leads, asked through the API
 * server's pod proxy (`pods/<name>:<port>/proxy/leader`), which reaches pod IPs that the host
 * of a kind cluster cannot.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { appPort } from '../kubernetes/pods.js';

export const SERVICE_LABEL = 'app.kubernetes.io/name';

export interface PodRow {
  name: string;
  service: string;
  ready: string;
  phase: string;
  restarts: number;
  age: string;
  role: string;
}

export async function kubePodRows(kc: KubeConfig, namespace: string): Promise<PodRow[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = (await core.listNamespacedPod({ namespace })).items
    .filter((p) => !p.metadata?.annotations?.['helm.sh/hook'])
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return Promise.all(
    pods.map(async (p) => {
      const statuses = p.status?.containerStatuses ?? [];
      const service = p.metadata?.labels?.[SERVICE_LABEL] ?? '';
      return {
        name: p.metadata?.name ?? '?',
        service,
        ready: `${statuses.filter((c) => c.ready).length}/${p.spec?.containers.length ?? 0}`,
        phase: p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? '?'),
        restarts: statuses.reduce((n, c) => n + c.restartCount, 0),
        age: age(p),
        role: service === 'scheduler' ? await schedulerRole(core, p, namespace) : '',
      };
    }),
  );
}

/** "leader (term N)" or "follower", from the scheduler's own `/leader`; "?" with why not. */
async function schedulerRole(core: CoreV1Api, p: V1Pod, namespace: string): Promise<string> {
  const port =
    appPort(p) ??
    p.spec?.containers.flatMap((c) => c.ports ?? []).find((x) => x.name === 'http')?.containerPort;
  if (!port || p.status?.phase !== 'Running') return '';
  try {
    const body = await Promise.race([
      core.connectGetNamespacedPodProxyWithPath({
        name: `${p.metadata?.name}:${port}`,
        namespace,
        path: 'leader',
      }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref(),
      ),
    ]);
    const view = (typeof body === 'string' ? JSON.parse(body) : body) as {
      isLeader?: boolean;
      term?: number;
    };
    if (view.isLeader === true) return `leader (term ${view.term ?? '?'})`;
    return view.isLeader === false ? 'follower' : '?';
  } catch (e) {
    // The API server refuses to proxy to some pod IPs (loopback ones, as on a test node).
    return `? (pod proxy: ${(e as Error).message.split('\n')[0]?.slice(0, 60)})`;
  }
}

function age(p: V1Pod): string {
  const created = p.metadata?.creationTimestamp;
  if (!created) return '?';
  const s = Math.max(0, Math.round((Date.now() - new Date(created).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export function formatPodRows(rows: readonly PodRow[]): string {
  const header: PodRow = {
    name: 'NAME',
    service: 'SERVICE',
    ready: 'READY',
    phase: 'STATUS',
    restarts: 0,
    age: 'AGE',
    role: 'ROLE',
  };
  const cells = (r: PodRow, head = false) => [
    r.name,
    r.service,
    r.ready,
    r.phase,
    head ? 'RESTARTS' : String(r.restarts),
    r.age,
    r.role,
  ];
  const table = [cells(header, true), ...rows.map((r) => cells(r))];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
