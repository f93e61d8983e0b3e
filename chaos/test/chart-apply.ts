/**
 * Rendered chart objects sent to a real API server by server-side apply, as `kubectl apply
 * --server-side [--dry-run=server] --validate=strict` would, keeping what the server says back:
 * the status and every `Warning` header (PodSecurity `warn`, unknown or duplicate fields).
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { KubeObject } from './chart-render.js';

/** apiVersion/kind → the resource's plural and whether it is namespaced. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'batch/v1/Job': { plural: 'jobs', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { plural: 'networkpolicies', namespaced: true },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
};

export interface ApplyResult {
  object: string;
  status: number;
  warnings: string[];
  /** The server's message when status is not 2xx. */
  error?: string;
}

export interface ApiServer {
  server: string;
  caFile: string;
  token: string;
}

/** Server-side apply of one object into `namespace`; `dryRun` = nothing is persisted. */
export async function serverSideApply(
  api: ApiServer,
  o: KubeObject,
  namespace: string,
  dryRun: boolean,
): Promise<ApplyResult> {
  const key = `${o.apiVersion}/${o.kind}`;
  const r = RESOURCES[key];
  if (!r) throw new Error(`no resource mapping for ${key} (add it to chart-apply.ts)`);
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const path = `${base}${r.namespaced ? `/namespaces/${namespace}` : ''}/${r.plural}/${o.metadata.name}`;
  const query = new URLSearchParams({
    fieldManager: 'faultline-chart-test',
    fieldValidation: 'Strict',
    force: 'true',
    ...(dryRun ? { dryRun: 'All' } : {}),
  });
  const body = JSON.stringify(r.namespaced ? { ...o, metadata: { ...o.metadata, namespace } } : o);
  const ca = await readFile(api.caFile);
  return new Promise((resolve, reject) => {
    const url = new URL(`${path}?${query.toString()}`, api.server);
    const req = request(
      url,
      {
        method: 'PATCH',
        ca,
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': 'application/apply-patch+yaml',
          accept: 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const w: string | string[] | undefined = res.headers.warning;
          const raw: string[] = Array.isArray(w) ? w : w ? [w] : [];
          const warnings = raw.map((h) => h.replace(/^299 - "?|"$/g, ''));
          const status = res.statusCode ?? 0;
          let error: string | undefined;
          if (status >= 300) {
            try {
              error = (JSON.parse(text) as { message?: string }).message ?? text;
            } catch {
              error = text;
            }
          }
          resolve({
            object: `${o.kind}/${o.metadata.name}`,
            status,
            warnings,
            ...(error !== undefined ? { error } : {}),
          });
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
