/**
 * The tests' Kubernetes control plane (@faultline/kit/testing/kubernetes), binaries already
 * cached: wall time from `startKubernetes()` to ready (etcd healthy, kube-apiserver /readyz,
 * kube-controller-manager /healthz, the simulated node registered), then to the first
 * Deployment's pod Running and Ready through the real controllers and the simulated kubelet.
 * A figure, no budget; the peer measured in the same run is a bare etcd start (startEtcd),
 * which every other integration test pays, so the ratio says what a kubernetes test file adds.
 */
import { startEtcd } from '@faultline/kit/testing/etcd-server';
import { kubeBinDir } from '@faultline/kit/testing/kube-control-plane';
import { startKubernetes } from '@faultline/kit/testing/kubernetes';
import { percentile, type BenchResult, type Benchmark } from './lib/report.js';

const TRIALS = Number(process.env.KUBE_HARNESS_BENCH_TRIALS ?? 3);

const bench: Benchmark = {
  name: 'kube-harness',
  description:
    'test control plane: start to ready, and to a first Ready pod (vs a bare etcd start)',
  async run(): Promise<BenchResult> {
    await kubeBinDir(); // builds the binaries when missing: not part of the figure
    const etcdMs: number[] = [];
    const readyMs: number[] = [];
    const podMs: number[] = [];
    const phases: string[] = [];
    for (let i = 0; i < TRIALS; i++) {
      let t = performance.now();
      const etcd = await startEtcd(1);
      etcdMs.push(performance.now() - t);
      await etcd.stop();

      t = performance.now();
      const kube = await startKubernetes();
      try {
        readyMs.push(performance.now() - t);
        const { etcdMs: e, apiserverMs: a, controllerManagerMs: c } = kube.timings;
        phases.push(
          `etcd ${e.toFixed(0)} + apiserver ${a.toFixed(0)} + controller-manager ${c.toFixed(0)} ms`,
        );
        await kube.createNamespace('bench');
        await kube.create(
          [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'web' },
              spec: {
                replicas: 1,
                selector: { matchLabels: { app: 'web' } },
                template: {
                  metadata: { labels: { app: 'web' } },
                  spec: { containers: [{ name: 'app', image: 'faultline:dev' }] },
                },
              },
            },
          ] as never,
          'bench',
        );
        await kube.waitForWorkload('Deployment', 'bench', 'web');
        podMs.push(performance.now() - t);
      } finally {
        await kube.stop();
      }
    }
    const p50 = (v: number[]) => percentile(v, 50);
    return {
      name: 'kube-harness',
      figures: {
        'start to ready p50 (ms)': p50(readyMs),
        'start to first Ready pod p50 (ms)': p50(podMs),
        'bare etcd start p50 (ms)': p50(etcdMs),
        'ready / bare etcd (ratio)': p50(readyMs) / p50(etcdMs),
        'last trial phases': phases.at(-1) ?? '',
      },
      budgets: [],
      notes: [
        `${TRIALS} trials; binaries cached (built once by scripts/kube-binaries.sh, not timed)`,
        'ready = etcd healthy, kube-apiserver /readyz 200, kube-controller-manager /healthz 200, node registered, pod informer synced',
        'first Ready pod = namespace + default ServiceAccount, Deployment → ReplicaSet → Pod → bound → Running/Ready',
      ],
    };
  },
};

export default bench;
