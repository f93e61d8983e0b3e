/**
 * Partition with mechanism `networkpolicy`: the target pods get a label naming the experiment,
 * and a NetworkPolicy (labelled with the experiment id) selects them and denies all ingress
 * and egress, or, with a link, all traffic to and from the link's pods while allowing the rest.
 * Recover deletes the policy and the pod labels. Policies are additive in Kubernetes: another
 * policy that allows the traffic wins, so this works in a namespace whose other policies do not
 * already allow it (true of faultline's chart). Off-cluster egress is cut too when a link is set.
 */
import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
} from '@kubernetes/client-node';
import { isNotFound, MERGE_PATCH } from './kube-apis.js';
import type { KubeApis } from './kube-apis.js';
import { DEFAULT_SERVICE_LABEL } from './pods.js';

/** On faultline's NetworkPolicies: the experiment (run) id that created them. */
export const EXPERIMENT_LABEL = 'chaos.faultline.dev/experiment';
/** On partitioned pods: the experiment id, so the policy can select exactly them. */
export const PARTITIONED_POD_LABEL = 'chaos.faultline.dev/partitioned-by';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'faultline' };

export interface PartitionRequest {
  /** Experiment (run) id: a label value, 1-63 characters. */
  experimentId: string;
  namespace: string;
  /** Names of the target pods (recorded at apply time). */
  pods: readonly string[];
  /** Cut only traffic to and from this service's pods; absent: cut everything. */
  link?: string;
}

/** What recover needs: exactly what apply created. */
export interface AppliedPartition {
  experimentId: string;
  namespace: string;
  policyName: string;
  pods: string[];
}

/** Name of the NetworkPolicy for an experiment. */
export function partitionPolicyName(experimentId: string): string {
  return `faultline-partition-${experimentId}`.slice(0, 253);
}

/** The NetworkPolicy object for a partition (pure; exported for tests and dry runs). */
function partitionPolicy(
  req: PartitionRequest,
  serviceLabel = DEFAULT_SERVICE_LABEL,
): V1NetworkPolicy {
  const spec: V1NetworkPolicy['spec'] = {
    podSelector: { matchLabels: { [PARTITIONED_POD_LABEL]: req.experimentId } },
    policyTypes: ['Ingress', 'Egress'],
  };
  if (req.link !== undefined) {
    // Allow-lists only: "everything but the link" is pods without the link's label value,
    // here or in any other namespace (which keeps DNS in kube-system reachable).
    const notLink: V1LabelSelector = {
      matchExpressions: [{ key: serviceLabel, operator: 'NotIn', values: [req.link] }],
    };
    const peers: V1NetworkPolicyPeer[] = [
      { podSelector: notLink },
      {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [req.namespace] },
          ],
        },
      },
    ];
    spec.ingress = [{ _from: peers }];
    spec.egress = [{ to: peers }];
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: partitionPolicyName(req.experimentId),
      namespace: req.namespace,
      labels: { [EXPERIMENT_LABEL]: req.experimentId, ...MANAGED_BY },
      annotations: {
        'chaos.faultline.dev/pods': req.pods.join(','),
        ...(req.link !== undefined ? { 'chaos.faultline.dev/link': req.link } : {}),
      },
    },
    spec,
  };
}

/** Creates and removes partition NetworkPolicies, and finds ones left behind. */
export class NetworkPolicyPartition {
  constructor(
    private readonly apis: Pick<KubeApis, 'core' | 'networking'>,
    private readonly serviceLabel = DEFAULT_SERVICE_LABEL,
  ) {}

  /** Labels the pods, then creates the policy (in that order, so the policy never selects more). */
  async apply(req: PartitionRequest): Promise<AppliedPartition> {
    for (const name of req.pods) {
      await this.apis.core.patchNamespacedPod(
        {
          name,
          namespace: req.namespace,
          body: { metadata: { labels: { [PARTITIONED_POD_LABEL]: req.experimentId } } },
        },
        MERGE_PATCH,
      );
    }
    const created = await this.apis.networking.createNamespacedNetworkPolicy({
      namespace: req.namespace,
      body: partitionPolicy(req, this.serviceLabel),
    });
    return {
      experimentId: req.experimentId,
      namespace: req.namespace,
      policyName: created.metadata?.name ?? partitionPolicyName(req.experimentId),
      pods: [...req.pods],
    };
  }

  /** Deletes the policy and removes the pod labels; already-gone objects are fine. */
  async recover(applied: AppliedPartition): Promise<void> {
    try {
      await this.apis.networking.deleteNamespacedNetworkPolicy({
        name: applied.policyName,
        namespace: applied.namespace,
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    for (const name of applied.pods) {
      try {
        await this.apis.core.patchNamespacedPod(
          {
            name,
            namespace: applied.namespace,
            body: { metadata: { labels: { [PARTITIONED_POD_LABEL]: null } } },
          },
          MERGE_PATCH,
        );
      } catch (e) {
        if (!isNotFound(e)) throw e; // a replaced pod never had the label
      }
    }
  }

  /** faultline's partition policies in `namespace` whose experiment is no longer live. */
  async findStale(
    namespace: string,
    isLive: (experimentId: string) => boolean | Promise<boolean>,
  ): Promise<AppliedPartition[]> {
    const list = await this.apis.networking.listNamespacedNetworkPolicy({
      namespace,
      labelSelector: EXPERIMENT_LABEL,
    });
    const stale: AppliedPartition[] = [];
    for (const p of list.items) {
      const id = p.metadata?.labels?.[EXPERIMENT_LABEL];
      if (id === undefined || (await isLive(id))) continue;
      const pods = p.metadata?.annotations?.['chaos.faultline.dev/pods'];
      stale.push({
        experimentId: id,
        namespace,
        policyName: p.metadata?.name ?? partitionPolicyName(id),
        pods: pods ? pods.split(',') : [],
      });
    }
    return stale;
  }
}
