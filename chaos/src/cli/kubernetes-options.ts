/**
 * The flags of `--platform kubernetes`, shared by `chaos run` and `gameday run`: which
 * kubeconfig, context and namespace, the agents' token, and how the agents are reached.
 */
import { Option, type Command } from 'commander';
import { AGENT_ROUTES } from '../kubernetes/kubernetes-driver.js';

export function kubernetesOptions(c: Command): Command {
  return c
    .option(
      '--kubeconfig <file>',
      'kubernetes: kubeconfig file (default: KUBECONFIG, ~/.kube/config, then in-cluster)',
    )
    .option(
      '--context <name>',
      'kubernetes: kubeconfig context (default kind-faultline when the kubeconfig has it, else the current one)',
    )
    .option(
      '--namespace <ns>',
      'kubernetes: namespace when metadata.namespace is not set (default "faultline" on the kind context, else "default")',
    )
    .option(
      '--agent-token-file <file>',
      "kubernetes: the agents' shared token (default FAULTLINE_AGENT_TOKEN_FILE, the in-cluster mount, else the chart's faultline-agent-token Secret)",
    )
    .addOption(
      new Option(
        '--agent-route <route>',
        "kubernetes: how the pods' agents are reached: straight to the pod IP (inside the cluster), or through the API server's pod proxy (default outside: a kind host cannot route pod IPs)",
      ).choices(AGENT_ROUTES),
    );
}
