/**
 * Listing and watching the namespace's experiments. Every listed experiment is queued (the ones
 * in flight are resumed or recovered by their first reconcile), NetworkPolicies left by
 * experiments that are gone or finished are removed, then a watch from the list's version
 * queues each change and forgets deleted objects. A failed list or an ended watch lists and
 * watches again after a back-off.
 */
import { TERMINAL_PHASES } from '../experiment/status.js';
import type { ControllerOptions } from './controller-context.js';

export interface ExperimentWatchOptions {
  o: Pick<ControllerOptions, 'resources' | 'driver' | 'namespace' | 'logger'>;
  enqueue: (name: string) => void;
  forget: (name: string) => void;
  /** The retry delay after `failures` consecutive failures. */
  backoff: (failures: number) => number;
}

export class ExperimentWatch {
  readonly #w: ExperimentWatchOptions;
  #watch: AbortController | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = false;

  constructor(options: ExperimentWatchOptions) {
    this.#w = options;
  }

  /** Lists, removes stale NetworkPolicies, then watches (retrying in the background on failure). */
  async start(): Promise<void> {
    await this.#listAndWatch();
  }

  stop(): void {
    this.#stopped = true;
    this.#watch?.abort();
    clearTimeout(this.#retry);
  }

  async #listAndWatch(): Promise<void> {
    const { resources, namespace, logger, driver } = this.#w.o;
    try {
      const { items, resourceVersion } = await resources.listWithVersion(namespace);
      for (const obj of items) this.#w.enqueue(obj.metadata.name ?? '');
      const names = new Set(items.map((o) => o.metadata.name));
      const live = (id: string) => {
        const o = items.find((i) => i.metadata.name === id);
        return names.has(id) && !TERMINAL_PHASES.includes(o?.status?.phase ?? 'Pending');
      };
      for (const stale of await driver.partition.findStale(namespace, live)) {
        logger.info(
          { policy: stale.policyName },
          'removing a NetworkPolicy left by a finished experiment',
        );
        await driver.partition.recover(stale);
      }
      if (this.#stopped) return;
      this.#watch = await resources.watch(
        namespace,
        (type, obj) => {
          const name = obj.metadata.name ?? '';
          if (type === 'ADDED' || type === 'MODIFIED') this.#w.enqueue(name);
          else if (type === 'DELETED') this.#w.forget(name);
        },
        (err) => {
          if (this.#stopped) return;
          logger.warn({ err }, 'experiment watch ended; listing and watching again');
          this.#retryWatch();
        },
        // From the list's version: nothing changed between the list and the watch is missed.
        resourceVersion,
      );
      this.#failures = 0;
    } catch (err) {
      if (this.#stopped) return;
      logger.warn({ err }, 'cannot list or watch experiments; retrying');
      this.#retryWatch();
    }
  }

  #retryWatch(): void {
    const delay = this.#w.backoff(++this.#failures);
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#listAndWatch(), delay);
  }
}
