/**
 * k6 on Kubernetes: a ConfigMap with the scenario's k6 script, the shared journey and the
 * compiled scenario JSON, and a Job running the official `grafana/k6` image on them, writing to
 * Prometheus by remote write with trend stats as native histograms. The pod meets PodSecurity
 * `restricted` (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault
 * seccomp, read-only root file system). Plain objects, so this module needs no cluster client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledScenarioJson, type CompiledScenario } from './compiled-scenario.js';
import { packageRoot } from './paths.js';

/** The k6 image, pinned: k6's remote-write output and native histograms need >= v0.49. */
export const K6_IMAGE = 'grafana/k6:1.3.0';
/** The image's own non-root user. */
const K6_UID = 12345;

export interface K6JobOptions {
  scenario: CompiledScenario;
  namespace: string;
  /** Unique per run: names the Job and ConfigMap, and is k6's `testid` tag. */
  runId: string;
  /** The gateway as the Job's pod reaches it, e.g. `http://gateway`. */
  baseUrl: string;
  /** Prometheus remote-write endpoint, e.g. `http://prometheus:9090/api/v1/write`. */
  remoteWriteUrl: string;
  rate?: number;
  duration?: string;
  image?: string;
}

/** A Kubernetes object as the API takes it (structurally what @kubernetes/client-node sends). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  [field: string]: unknown;
}

const SCRIPTS_DIR = '/scripts';

/** The ConfigMap and Job of one k6 run. */
export function k6JobManifests(o: K6JobOptions): { configMap: KubeObject; job: KubeObject } {
  const name = `k6-${o.runId}`.slice(0, 63).replace(/-+$/, '');
  const labels = {
    'app.kubernetes.io/name': 'k6',
    'app.kubernetes.io/part-of': 'faultline',
    'faultline.dev/load-scenario': o.scenario.name,
    'faultline.dev/load-run': o.runId.slice(0, 63),
  };
  const script = `${o.scenario.name}.js`;
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: o.namespace, labels },
    data: {
      [script]: readFileSync(join(packageRoot, script), 'utf8'),
      'journey.js': readFileSync(join(packageRoot, 'lib', 'journey.js'), 'utf8'),
      'scenario.json': compiledScenarioJson(o.scenario),
    },
  };
  const env: { name: string; value: string }[] = [
    { name: 'BASE_URL', value: o.baseUrl },
    { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: o.remoteWriteUrl },
    { name: 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', value: 'true' },
    { name: 'K6_NO_USAGE_REPORT', value: 'true' },
    ...(o.rate !== undefined ? [{ name: 'RATE', value: String(o.rate) }] : []),
    ...(o.duration !== undefined ? [{ name: 'DURATION', value: o.duration }] : []),
  ];
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: o.namespace, labels },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: K6_UID,
            runAsGroup: K6_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'k6',
              image: o.image ?? K6_IMAGE,
              args: [
                'run',
                '--out',
                'experimental-prometheus-rw',
                '--tag',
                `testid=${o.runId}`,
                `${SCRIPTS_DIR}/${script}`,
              ],
              env,
              resources: {
                requests: { cpu: '250m', memory: '128Mi' },
                limits: { cpu: '1', memory: '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            {
              name: 'scripts',
              configMap: {
                name,
                // The scripts' relative imports and open() paths, laid out as in loadtests/.
                items: [
                  { key: script, path: script },
                  { key: 'journey.js', path: 'lib/journey.js' },
                  { key: 'scenario.json', path: `scenarios/${o.scenario.name}.json` },
                ],
              },
            },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
  return { configMap, job };
}
