/**
 * A replica's role on its own pod, as the label `chaos.faultline.dev/role=leader|follower`, so an
 * experiment that targets "the leader" finds it from the Kubernetes API alone, inside the cluster
 * or outside it (the chaos driver reads this label; nothing else knows who leads). Active only
 * in Kubernetes: POD_NAME and POD_NAMESPACE from the downward API, and a ServiceAccount allowed
 * to patch pods (the chart's scheduler Role). Writes never overlap and the newest role wins;
 * a failed write is retried, so a label lags a change by at most an API round trip or a retry.
 */
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from './logging.js';

export const ROLE_LABEL = 'chaos.faultline.dev/role';
export type PodRole = 'leader' | 'follower';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const RETRY_MS = 1000;

export class PodRoleLabel {
  readonly #core: CoreV1Api;
  #wanted: PodRole | undefined;
  #written: PodRole | undefined;
  #writing = false;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    kc: KubeConfig,
    readonly pod: { name: string; namespace: string },
    private readonly logger: Logger,
  ) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  /**
   * From the environment: undefined outside Kubernetes (no POD_NAME). The client's defaults
   * find the credentials: KUBECONFIG, else the pod's ServiceAccount.
   */
  static fromEnv(env: NodeJS.ProcessEnv, logger: Logger): PodRoleLabel | undefined {
    const name = env.POD_NAME;
    if (!name) return undefined;
    const namespace = env.POD_NAMESPACE;
    if (!namespace) throw new Error('POD_NAME is set but POD_NAMESPACE is not (downward API)');
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return new PodRoleLabel(kc, { name, namespace }, logger);
  }

  /** The role to show; written now, or as soon as the write in flight is done. */
  set(role: PodRole): void {
    this.#wanted = role;
    void this.#flush();
  }

  /** What the pod's label says as far as this replica knows (after a successful write). */
  get written(): PodRole | undefined {
    return this.#written;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#stopped) return;
    this.#writing = true;
    try {
      while (this.#wanted !== undefined && this.#wanted !== this.#written && !this.#stopped) {
        const role = this.#wanted;
        await this.#core.patchNamespacedPod(
          { ...this.pod, body: { metadata: { labels: { [ROLE_LABEL]: role } } } },
          MERGE_PATCH,
        );
        this.#written = role;
        this.logger.info({ pod: this.pod.name, role }, 'pod role label written');
      }
    } catch (e) {
      this.logger.warn(
        { pod: this.pod.name, err: (e as Error).message.split('\n')[0] },
        `cannot write the pod role label; retrying in ${RETRY_MS} ms`,
      );
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.#flush(), RETRY_MS);
      this.#retry.unref();
    } finally {
      this.#writing = false;
    }
  }
}
