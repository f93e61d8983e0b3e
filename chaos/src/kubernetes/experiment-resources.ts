/**
 * `Experiment` custom resources through the API: get, list, watch, and status updates through
 * the status subresource with a JSON merge patch (custom resources do not take strategic merge
 * patches). The spec of an object is validated with the same zod schema as files.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION } from '../experiment/crd-names.js';
import { experimentSpecSchema } from '../experiment/spec.js';
import type { ExperimentSchemaOptions, ExperimentSpec } from '../experiment/spec.js';
import { TERMINAL_PHASES } from '../experiment/status.js';
import type { ExperimentStatus } from '../experiment/status.js';
import { isNotFound, MERGE_PATCH } from './kube-apis.js';
import type { KubeApis } from './kube-apis.js';

/** An Experiment object as the API returns it (spec unvalidated). */
export interface ExperimentObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: unknown;
  status?: ExperimentStatus;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

const coords = (namespace: string) => ({
  group: CRD_GROUP,
  version: CRD_VERSION,
  plural: CRD_PLURAL,
  namespace,
});

/** Experiments in one namespace (namespaced RBAC only: never cluster-wide). */
export class ExperimentResources {
  constructor(private readonly apis: Pick<KubeApis, 'custom' | 'watch'>) {}

  /** The object, or undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<ExperimentObject | undefined> {
    try {
      return (await this.apis.custom.getNamespacedCustomObject({
        ...coords(namespace),
        name,
      })) as ExperimentObject;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(namespace: string): Promise<ExperimentObject[]> {
    return (await this.listWithVersion(namespace)).items;
  }

  /** The list and its resourceVersion, from which a watch misses nothing (like an informer). */
  async listWithVersion(
    namespace: string,
  ): Promise<{ items: ExperimentObject[]; resourceVersion?: string }> {
    const list = (await this.apis.custom.listNamespacedCustomObject(coords(namespace))) as {
      items?: ExperimentObject[];
      metadata?: { resourceVersion?: string };
    };
    const rv = list.metadata?.resourceVersion;
    return { items: list.items ?? [], ...(rv ? { resourceVersion: rv } : {}) };
  }

  /** Merge-patches `status` (only the fields given; arrays such as conditions are replaced). */
  async patchStatus(
    namespace: string,
    name: string,
    status: ExperimentStatus,
  ): Promise<ExperimentObject> {
    return (await this.apis.custom.patchNamespacedCustomObjectStatus(
      { ...coords(namespace), name, body: { status } },
      MERGE_PATCH,
    )) as ExperimentObject;
  }

  /**
   * Sets `metadata.finalizers` (merge patch replaces the list, so the caller passes all of it;
   * `resourceVersion` makes the write conditional on nobody having changed the object).
   */
  async setFinalizers(
    namespace: string,
    name: string,
    finalizers: string[],
    resourceVersion?: string,
  ): Promise<ExperimentObject> {
    return (await this.apis.custom.patchNamespacedCustomObject(
      {
        ...coords(namespace),
        name,
        body: { metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) } },
      },
      MERGE_PATCH,
    )) as ExperimentObject;
  }

  /**
   * Streams changes to experiments in `namespace` until aborted (the returned controller) or the
   * server ends the watch (`onDone`); callers re-list and re-watch, like an informer.
   */
  async watch(
    namespace: string,
    onEvent: (type: WatchEventType, object: ExperimentObject) => void,
    onDone: (err?: unknown) => void,
    resourceVersion?: string,
  ): Promise<AbortController> {
    const path = `/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${namespace}/${CRD_PLURAL}`;
    return this.apis.watch.watch(
      path,
      { allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
      (type, obj) => onEvent(type as WatchEventType, obj as ExperimentObject),
      (err) => onDone(err ?? undefined),
    );
  }

  /**
   * Whether the experiment named `experimentId` still exists and is not finished: stale
   * NetworkPolicies are the ones whose experiment is not live.
   */
  async isLive(namespace: string, experimentId: string): Promise<boolean> {
    const obj = await this.get(namespace, experimentId);
    if (!obj) return false;
    const phase = obj.status?.phase;
    return phase === undefined || !TERMINAL_PHASES.includes(phase);
  }
}

export type ExperimentObjectSpec =
  { ok: true; spec: ExperimentSpec } | { ok: false; problems: { path: string; message: string }[] };

/** Validates an object's spec with the file schema (problems by path; objects have no lines). */
export function parseExperimentObjectSpec(
  obj: ExperimentObject,
  options: ExperimentSchemaOptions = {},
): ExperimentObjectSpec {
  const r = experimentSpecSchema(options).safeParse(obj.spec);
  if (r.success) return { ok: true, spec: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => ({
      path: ['spec', ...i.path.map(String)].join('.'),
      message: i.message,
    })),
  };
}
