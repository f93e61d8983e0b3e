/**
 * A Kubernetes API fake: a node:http server that serves the real API's JSON shapes (PodList,
 * Pod, NetworkPolicy, NetworkPolicyList, Status, custom objects, watch event streams) for the
 * endpoints faultline uses, keeps a tiny in-memory store, and records every call.
 *
 * Every kubernetes test runs against a real control plane (kube-harness.ts) except the cases a
 * real API server cannot be made to produce on demand, which use this fake
 * (kubernetes-controller-api-faults.test.ts):
 *   - `failNext`: a 500 InternalError on chosen requests;
 *   - `endWatches`: the server ending every open watch at a moment the test picks.
 * It has no defaulting, validation, conflicts on stale writes beyond a resourceVersion check,
 * finalizer semantics or controllers: never use it to test those.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** Object metadata, as far as the fake reads it. */
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** An API object as the fake stores it. */
export interface Obj {
  metadata: Meta;
  [key: string]: unknown;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

export interface KubeApiFake {
  url: string;
  calls: RecordedCall[];
  /** Objects by kind key `pods`, `networkpolicies`, `experiments`, then `ns/name`. */
  store: Record<'pods' | 'networkpolicies' | 'experiments', Map<string, Obj>>;
  /** What deleting a pod does: `recreate` (StatefulSet: same name, new uid) or `replace` (new name). */
  onPodDelete: 'recreate' | 'replace' | 'stay';
  /** Sends a watch event to every open experiment watch. */
  emitExperiment(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj): void;
  /** Resolves once `n` experiment watches are open. */
  watchers(): number;
  /**
   * The next `count` calls for which `match` holds answer 500 InternalError (a flaky API
   * server), recorded like any other call.
   */
  failNext(count: number, match?: (call: RecordedCall) => boolean): void;
  /** Ends every open experiment watch (the server closed it, as API servers do). */
  endWatches(): void;
  close(): Promise<void>;
}

let rv = 1000;
const nextRv = () => String(++rv);

/** A Pod as the API returns it, Ready or not. */
export function podJson(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ready = true,
): Obj {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      resourceVersion: nextRv(),
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: labels.app ?? name,
          uid: randomUUID(),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [{ name: 'app', image: 'faultline:dev' }],
      restartPolicy: 'Always',
      nodeName: 'kind-worker',
    },
    status: {
      phase: 'Running',
      podIP: '10.244.0.10',
      conditions: [
        {
          type: 'Initialized',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-01-01T00:00:01Z',
        },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: '2025-01-01T00:00:02Z',
        },
        {
          type: 'ContainersReady',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: '2025-01-01T00:00:02Z',
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    },
  };
}

/** An Experiment custom object. */
export function experimentJson(namespace: string, name: string, spec: Json, status?: Json): Obj {
  return {
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      generation: 1,
      resourceVersion: nextRv(),
      creationTimestamp: '2025-01-01T00:00:00Z',
    },
    spec,
    ...(status ? { status } : {}),
  };
}

const UNSUPPORTED_PATCH =
  'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

function status(code: number, reason: string, message: string, details: Json = {}): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    details,
    code,
  };
}

function matches(
  labels: Record<string, string> | undefined,
  selector: string | undefined,
): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (t.startsWith('!')) return !(t.slice(1) in l);
    const ne = t.indexOf('!=');
    if (ne >= 0) return l[t.slice(0, ne)] !== t.slice(ne + 2);
    const eq = t.indexOf('=');
    if (eq < 0) return t in l;
    return l[t.slice(0, eq)] === t.slice(eq + 1).replace(/^=/, '');
  });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Json) }
      : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startKubeApiFake(): Promise<KubeApiFake> {
  const calls: RecordedCall[] = [];
  const store: KubeApiFake['store'] = {
    pods: new Map(),
    networkpolicies: new Map(),
    experiments: new Map(),
  };
  const watches = new Set<ServerResponse>();
  const failures: { count: number; match: (call: RecordedCall) => boolean }[] = [];
  const fake: KubeApiFake = {
    url: '',
    calls,
    store,
    onPodDelete: 'recreate',
    emitExperiment(type, obj) {
      for (const res of watches) res.write(JSON.stringify({ type, object: obj }) + '\n');
    },
    watchers: () => watches.size,
    failNext(count, match = () => true) {
      failures.push({ count, match });
    },
    endWatches() {
      for (const w of watches) w.end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watches) w.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const send = (res: ServerResponse, code: number, body: Json | Obj) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /** Answers a `Status` object with `code` as both the HTTP and the Status code. */
  const sendStatus = (
    res: ServerResponse,
    code: number,
    reason: string,
    message: string,
    details: Json = {},
  ) => send(res, code, status(code, reason, message, details));

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = await readBody(req);
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      };
      calls.push(call);
      const failure = failures.find((f) => f.count > 0 && f.match(call));
      if (failure) {
        failure.count--;
        return sendStatus(res, 500, 'InternalError', 'injected failure (fake)');
      }
      route(call, res);
    })().catch((e: unknown) => sendStatus(res, 500, 'InternalError', String(e)));
  });

  function list(kind: keyof KubeApiFake['store'], ns: string, selector: string | undefined): Obj[] {
    return [...store[kind].values()].filter(
      (o) =>
        o.metadata.namespace === ns &&
        matches(o.metadata.labels as Record<string, string>, selector),
    );
  }

  function route(call: RecordedCall, res: ServerResponse): void {
    const p = call.path.split('/').filter(Boolean);
    // /api/v1/namespaces/{ns}/pods[/{name}]
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p[4] === 'pods') {
      const ns = p[3] ?? '';
      const name = p[5];
      if (name === undefined && call.method === 'GET') {
        return send(res, 200, {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: nextRv() },
          items: list('pods', ns, call.query.labelSelector),
        });
      }
      const key = `${ns}/${name}`;
      const pod = store.pods.get(key);
      if (!pod)
        return sendStatus(res, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      if (call.method === 'GET') return send(res, 200, pod);
      if (call.method === 'DELETE') {
        const grace = Number(call.query.gracePeriodSeconds ?? '30');
        const deleted = {
          ...pod,
          metadata: {
            ...pod.metadata,
            deletionTimestamp: '2025-01-01T00:01:00Z',
            deletionGracePeriodSeconds: grace,
          },
        };
        store.pods.delete(key);
        if (fake.onPodDelete === 'recreate') {
          store.pods.set(
            key,
            podJson(ns, name ?? '', pod.metadata.labels as Record<string, string>),
          );
        } else if (fake.onPodDelete === 'replace') {
          const fresh = podJson(
            ns,
            `${name}-r${rv}`,
            pod.metadata.labels as Record<string, string>,
          );
          store.pods.set(`${ns}/${fresh.metadata.name}`, fresh);
        } else {
          store.pods.set(key, deleted);
        }
        return send(res, 200, deleted);
      }
      if (call.method === 'PATCH') {
        if (call.contentType !== 'application/merge-patch+json') {
          return sendStatus(res, 415, 'UnsupportedMediaType', UNSUPPORTED_PATCH);
        }
        const patched = mergePatch(pod, call.body) as Obj;
        patched.metadata.resourceVersion = nextRv();
        store.pods.set(key, patched);
        return send(res, 200, patched);
      }
    }
    // /apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies[/{name}]
    if (
      p[0] === 'apis' &&
      p[1] === 'networking.k8s.io' &&
      p[2] === 'v1' &&
      p[5] === 'networkpolicies'
    ) {
      const ns = p[4] ?? '';
      const name = p[6];
      if (name === undefined && call.method === 'GET') {
        return send(res, 200, {
          kind: 'NetworkPolicyList',
          apiVersion: 'networking.k8s.io/v1',
          metadata: { resourceVersion: nextRv() },
          items: list('networkpolicies', ns, call.query.labelSelector),
        });
      }
      if (name === undefined && call.method === 'POST') {
        const np = structuredClone(call.body) as Obj;
        const key = `${ns}/${np.metadata.name}`;
        if (store.networkpolicies.has(key)) {
          return sendStatus(
            res,
            409,
            'AlreadyExists',
            `networkpolicies.networking.k8s.io "${np.metadata.name}" already exists`,
          );
        }
        np.metadata = {
          ...np.metadata,
          namespace: ns,
          uid: randomUUID(),
          resourceVersion: nextRv(),
          generation: 1,
          creationTimestamp: '2025-01-01T00:00:00Z',
        };
        store.networkpolicies.set(key, np);
        return send(res, 201, np);
      }
      const key = `${ns}/${name}`;
      const np = store.networkpolicies.get(key);
      if (!np)
        return sendStatus(
          res,
          404,
          'NotFound',
          `networkpolicies.networking.k8s.io "${name}" not found`,
          {
            name,
            group: 'networking.k8s.io',
            kind: 'networkpolicies',
          },
        );
      if (call.method === 'DELETE') {
        store.networkpolicies.delete(key);
        return sendStatus(res, 200, '', '', {
          name,
          group: 'networking.k8s.io',
          kind: 'networkpolicies',
          uid: np.metadata.uid,
        });
      }
      if (call.method === 'GET') return send(res, 200, np);
    }
    // /apis/chaos.faultline.dev/v1alpha1/namespaces/{ns}/experiments[/{name}[/status]]
    if (
      p[0] === 'apis' &&
      p[1] === 'chaos.faultline.dev' &&
      p[2] === 'v1alpha1' &&
      p[5] === 'experiments'
    ) {
      const ns = p[4] ?? '';
      const name = p[6];
      if (name === undefined && call.method === 'GET' && call.query.watch === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        watches.add(res);
        res.on('close', () => watches.delete(res));
        return;
      }
      if (name === undefined && call.method === 'POST') {
        const obj = structuredClone(call.body) as Obj;
        const key = `${ns}/${obj.metadata.name}`;
        if (store.experiments.has(key))
          return sendStatus(
            res,
            409,
            'AlreadyExists',
            `experiments.chaos.faultline.dev "${obj.metadata.name}" already exists`,
          );
        const { status: _dropped, ...created } = obj; // status is only written through /status
        const stored: Obj = {
          ...created,
          metadata: {
            ...obj.metadata,
            namespace: ns,
            uid: randomUUID(),
            generation: 1,
            resourceVersion: nextRv(),
            creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        };
        store.experiments.set(key, stored);
        fake.emitExperiment('ADDED', stored);
        return send(res, 201, stored);
      }
      if (name === undefined && call.method === 'GET') {
        return send(res, 200, {
          apiVersion: 'chaos.faultline.dev/v1alpha1',
          kind: 'ExperimentList',
          metadata: { continue: '', resourceVersion: nextRv() },
          items: list('experiments', ns, call.query.labelSelector),
        });
      }
      const key = `${ns}/${name}`;
      const exp = store.experiments.get(key);
      if (!exp)
        return sendStatus(
          res,
          404,
          'NotFound',
          `experiments.chaos.faultline.dev "${name}" not found`,
          {
            name,
            group: 'chaos.faultline.dev',
            kind: 'experiments',
          },
        );
      if (call.method === 'GET' && p[7] === undefined) return send(res, 200, exp);
      if (call.method === 'DELETE' && p[7] === undefined) {
        // With finalizers the object stays, marked for deletion, until they are removed.
        if (((exp.metadata.finalizers as string[] | undefined) ?? []).length > 0) {
          const marked: Obj = {
            ...exp,
            metadata: {
              ...exp.metadata,
              deletionTimestamp:
                exp.metadata.deletionTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              deletionGracePeriodSeconds: 0,
              resourceVersion: nextRv(),
            },
          };
          store.experiments.set(key, marked);
          fake.emitExperiment('MODIFIED', marked);
          return send(res, 200, marked);
        }
        store.experiments.delete(key);
        fake.emitExperiment('DELETED', exp);
        return sendStatus(res, 200, 'Success', '', {
          name,
          group: 'chaos.faultline.dev',
          kind: 'experiments',
          uid: exp.metadata.uid,
        });
      }
      if (call.method === 'PATCH') {
        // Custom resources accept JSON patch and merge patch, never strategic merge.
        if (
          call.contentType !== 'application/merge-patch+json' &&
          call.contentType !== 'application/json-patch+json'
        ) {
          return sendStatus(res, 415, 'UnsupportedMediaType', UNSUPPORTED_PATCH);
        }
        const patch = call.body as Json;
        let next: Obj;
        if (p[7] === 'status') {
          // The status subresource ignores everything but status.
          next = { ...exp, status: mergePatch(exp.status, patch.status) };
        } else {
          const { status: _ignored, ...rest } = patch;
          next = mergePatch(exp, rest) as Obj;
          const wantRv = (patch.metadata as Meta | undefined)?.resourceVersion;
          if (wantRv !== undefined && wantRv !== exp.metadata.resourceVersion) {
            return sendStatus(
              res,
              409,
              'Conflict',
              `Operation cannot be fulfilled on experiments.chaos.faultline.dev "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            );
          }
        }
        next.metadata = { ...next.metadata, resourceVersion: nextRv() };
        if (
          next.metadata.deletionTimestamp !== undefined &&
          ((next.metadata.finalizers as string[] | undefined) ?? []).length === 0
        ) {
          // The last finalizer is gone from an object marked for deletion: it is deleted now.
          store.experiments.delete(key);
          fake.emitExperiment('DELETED', next);
          return send(res, 200, next);
        }
        store.experiments.set(key, next);
        fake.emitExperiment('MODIFIED', next);
        return send(res, 200, next);
      }
    }
    sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
