/**
 * The chart's conventions as a check over rendered objects: every container has startup,
 * readiness and liveness probes, cpu+memory requests and a memory limit, and a securityContext
 * PodSecurity `restricted` admits (non-root numeric uid, no privilege escalation, ALL capabilities
 * dropped, RuntimeDefault seccomp, read-only root); no host namespaces, ports or paths.
 * Also the memory-limit sum of the whole playground (containers × replicas).
 */
import type { KubeObject } from './chart-render.js';

interface Container {
  name: string;
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: {
    requests?: { cpu?: string | number; memory?: string };
    limits?: { cpu?: string | number; memory?: string };
  };
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContext;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; hostPath?: unknown }[];
}

/** A pod template found in a workload (or a bare Pod, e.g. a helm test). */
export interface PodTemplate {
  workload: string;
  replicas: number;
  spec: PodSpec;
}

export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  const found: PodTemplate[] = [];
  for (const o of objects) {
    const workload = `${o.kind}/${o.metadata.name}`;
    const spec = o.spec as
      { replicas?: number; template?: { spec: PodSpec }; jobTemplate?: unknown } | undefined;
    if (o.kind === 'Pod') found.push({ workload, replicas: 1, spec: o.spec as unknown as PodSpec });
    else if (['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job'].includes(o.kind)) {
      if (!spec?.template) throw new Error(`${workload}: no pod template`);
      found.push({ workload, replicas: spec.replicas ?? 1, spec: spec.template.spec });
    }
  }
  return found;
}

/** Every violation of the conventions, as `Kind/name container c: what`; empty = all good. */
export function policyProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const { workload, spec } of podTemplates(objects)) {
    const pod = spec.securityContext ?? {};
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
      if (spec[f]) problems.push(`${workload}: ${f} is set`);
    for (const v of spec.volumes ?? [])
      if (v.hostPath) problems.push(`${workload}: volume ${v.name} is a hostPath`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const at = `${workload} container ${c.name}`;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const)
        if (!c[probe]) problems.push(`${at}: no ${probe}`);
      const r = c.resources ?? {};
      if (r.requests?.cpu === undefined) problems.push(`${at}: no cpu request`);
      if (r.requests?.memory === undefined) problems.push(`${at}: no memory request`);
      if (r.limits?.memory === undefined) problems.push(`${at}: no memory limit`);
      if (r.limits?.cpu === undefined) problems.push(`${at}: no cpu limit`);
      for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${at}: hostPort ${p.hostPort}`);
      const s = c.securityContext ?? {};
      const nonRoot = s.runAsNonRoot ?? pod.runAsNonRoot;
      const uid = s.runAsUser ?? pod.runAsUser;
      if (nonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
      // The kubelet can verify "non-root" only for a numeric uid set in the pod spec or image.
      if (typeof uid !== 'number' || uid === 0)
        problems.push(`${at}: no numeric non-root runAsUser`);
      if (s.allowPrivilegeEscalation !== false)
        problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (s.privileged) problems.push(`${at}: privileged`);
      if (!s.capabilities?.drop?.includes('ALL'))
        problems.push(`${at}: capabilities do not drop ALL`);
      if ((s.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE'))
        problems.push(`${at}: adds capabilities ${String(s.capabilities?.add)}`);
      const seccomp = s.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        problems.push(`${at}: seccompProfile is not RuntimeDefault`);
      if (s.readOnlyRootFilesystem !== true)
        problems.push(`${at}: readOnlyRootFilesystem is not true`);
    }
  }
  return problems;
}

const UNITS: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  k: 1e3,
  M: 1e6,
  G: 1e9,
};

/** A Kubernetes memory quantity (`96Mi`, `1Gi`, `500M`, `1048576`) in bytes. */
export function memoryBytes(quantity: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|k|M|G|)$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Per workload: replicas × the sum of its containers' memory limits, in bytes. */
export function memoryLimits(objects: KubeObject[]): { workload: string; bytes: number }[] {
  return podTemplates(objects)
    .filter((t) => !t.workload.startsWith('Pod/')) // helm test pods run only during `helm test`
    .map(({ workload, replicas, spec }) => {
      let perPod = 0;
      for (const c of spec.containers) {
        const limit = c.resources?.limits?.memory;
        if (limit === undefined)
          throw new Error(`${workload} container ${c.name}: no memory limit`);
        perPod += memoryBytes(limit);
      }
      return { workload, bytes: replicas * perPod };
    });
}
