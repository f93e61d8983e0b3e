/** The `faultline` CLI entry: one program for the playground, and later for chaos. */
import { Command, InvalidArgumentError } from 'commander';
import { fileURLToPath } from 'node:url';
import { down, status, upDetached, upForeground, type UpOptions } from './local-commands.js';
import { runTour } from './demo-tour.js';
import { chaosExplain, chaosLs, chaosRun, chaosStop } from './chaos-commands.js';
import { progress } from './output.js';
import { registerTracesCommand } from './traces-command.js';
import { registerLoadCommand } from './load-command.js';
import { registerGameDayCommand } from './gameday-command.js';
import { kubernetesOptions } from './kubernetes-options.js';
import { doctorKind, downKind, upKind } from './kind-up.js';
import { kubernetesStatus } from './kube-status-command.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

const program = new Command('faultline')
  .description('faultline: watch distributed-systems theory hold or break under load and faults')
  .showHelpAfterError();

program
  .command('up')
  .description('start the playground')
  .option('--local', 'run on this machine (the default platform)', true)
  .option(
    '--platform <name>',
    'local | kind (make up: a kind cluster with the Helm chart)',
    'local',
  )
  .option('--detach', 'return once everything is ready; leave it running in the background')
  .option('-c, --config <file>', 'playground config (YAML); defaults apply to everything left out')
  .option('--state-dir <dir>', 'where state, logs and data go (default .state/local)')
  .option('--booking <n>', 'booking replicas', int('--booking'))
  .option('--scheduler <n>', 'scheduler replicas', int('--scheduler'))
  .option('--etcd-members <n>', 'etcd cluster size: 1, 3 or 5', int('--etcd-members'))
  .option('--gateway-port <port>', 'gateway HTTP port', int('--gateway-port'))
  .option('--prometheus-port <port>', 'Prometheus port', int('--prometheus-port'))
  .action(async (o: UpOptions & { platform: string }) => {
    if (o.platform === 'kind') process.exit(await upKind());
    if (o.platform !== 'local') {
      process.stderr.write(
        `faultline: unknown platform ${o.platform}; allowed: local, kind (for an existing cluster: helm install charts/faultline)\n`,
      );
      process.exit(2);
    }
    if (o.detach)
      await upDetached(o, fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url)));
    else await upForeground(o);
  });

program
  .command('doctor')
  .description('preflight for a platform: what it needs, what is missing, how to fix it')
  .requiredOption('--platform <name>', 'kind')
  .action(async (o: { platform: string }) => {
    if (o.platform !== 'kind') {
      process.stderr.write('faultline: doctor knows --platform kind only\n');
      process.exit(2);
    }
    process.exit((await doctorKind()) ? 0 : 1);
  });

program
  .command('demo')
  .description('start the local playground, take a short tour, keep it running until Ctrl-C')
  .option('-c, --config <file>', 'playground config (YAML)')
  .option('--state-dir <dir>', 'where state, logs and data go (default .state/local)')
  .action(async (o: UpOptions) => {
    const supervisor = await upForeground(o);
    try {
      await runTour(supervisor.snapshot(), progress);
    } catch (e) {
      progress(`the tour stumbled (${(e as Error).message}); the playground keeps running`);
    }
    progress('the playground keeps running: Ctrl-C stops everything');
  });

program
  .command('down')
  .description('stop the playground (from any shell); state and logs are kept')
  .option('--platform <name>', 'local | kind (deletes the kind cluster: make down)', 'local')
  .option('--state-dir <dir>', 'state directory of the playground')
  .option('-c, --config <file>', 'playground config (for its stateDir)')
  .action(async (o: Parameters<typeof down>[0] & { platform: string }) => {
    if (o.platform === 'kind') process.exit(await downKind());
    if (o.platform !== 'local') {
      process.stderr.write(`faultline: unknown platform ${o.platform}; allowed: local, kind\n`);
      process.exit(2);
    }
    await down(o);
  });

program
  .command('status')
  .description('pods, readiness, roles, restarts, ports')
  .option('--platform <name>', 'local | kubernetes', 'local')
  .option('--json', 'the same as JSON (URLs, PIDs, labels), for scripts')
  .option('--state-dir <dir>', 'state directory of the playground')
  .option('-c, --config <file>', 'playground config (for its stateDir)')
  .option(
    '--context <name>',
    'kubernetes: kubeconfig context (default kind-faultline when present)',
  )
  .option('--namespace <ns>', 'kubernetes: the release namespace', 'faultline')
  .action(
    async (
      o: Parameters<typeof status>[0] & { platform: string; context?: string; namespace: string },
    ) => {
      if (o.platform === 'kubernetes') process.exit(await kubernetesStatus(o));
      if (o.platform !== 'local') {
        process.stderr.write(
          `faultline: unknown platform ${o.platform}; allowed: local, kubernetes\n`,
        );
        process.exit(2);
      }
      await status(o);
    },
  );

const chaos = program
  .command('chaos')
  .description('chaos experiments: run, ls, stop, explain (see chaos/README-experiments.md)');
const stateOptions = (c: Command) =>
  c
    .option('--state-dir <dir>', 'state directory of the playground (default .state/local)')
    .option('-c, --config <file>', 'playground config (for its stateDir)');

kubernetesOptions(
  stateOptions(
    chaos
      .command('run')
      .argument('<file>', 'experiment YAML')
      .description(
        'run an experiment: targets, apply, verify, renew, recover; exit 0 when all went well',
      )
      .option('--dry-run', 'resolve targets and print exactly what would be done; change nothing')
      .option('--platform <name>', 'local | kubernetes', 'local')
      .option('--duration <d>', 'override spec.duration (such as 5s), e.g. for a quick rehearsal')
      .option(
        '--seed <n>',
        'override spec.seed (target choice, jitter, http-fault draws)',
        int('--seed'),
      )
      .option(
        '--renew-interval <ms>',
        'how often agent faults are renewed; their TTL is 3x this (default 1000)',
        int('--renew-interval'),
      ),
  ),
).action(chaosRun);

stateOptions(
  chaos
    .command('ls')
    .description('experiments recorded in the state directory, with phase and engine')
    .option('--json', 'the run records as JSON'),
).action(chaosLs);

stateOptions(
  chaos
    .command('stop')
    .argument('<id>', 'experiment run id (from chaos ls)')
    .description(
      "stop a running experiment (its engine recovers), or remove a dead engine's faults",
    ),
).action(chaosStop);

stateOptions(
  chaos
    .command('explain')
    .argument('<file>', 'experiment YAML')
    .description('say in plain words what the experiment would do, to which pods')
    .option('--platform <name>', 'local | kubernetes', 'local'),
).action(chaosExplain);

registerTracesCommand(program, int);
registerLoadCommand(program);
registerGameDayCommand(program);

await program.parseAsync(process.argv);
