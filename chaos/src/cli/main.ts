/** The `faultline` CLI entry: one program for the playground, and later for chaos. */
import { Command, InvalidArgumentError } from 'commander';
import { fileURLToPath } from 'node:url';
import { down, status, upDetached, upForeground, type UpOptions } from './local-commands.js';
import { runTour } from './demo-tour.js';
import { progress } from './output.js';

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
  .option('--local', 'run on this machine (the default and, for now, only platform)', true)
  .option('--platform <name>', 'local | kubernetes', 'local')
  .option('--detach', 'return once everything is ready; leave it running in the background')
  .option('-c, --config <file>', 'playground config (YAML); defaults apply to everything left out')
  .option('--state-dir <dir>', 'where state, logs and data go (default .state/local)')
  .option('--booking <n>', 'booking replicas', int('--booking'))
  .option('--scheduler <n>', 'scheduler replicas', int('--scheduler'))
  .option('--etcd-members <n>', 'etcd cluster size: 1, 3 or 5', int('--etcd-members'))
  .option('--gateway-port <port>', 'gateway HTTP port', int('--gateway-port'))
  .option('--prometheus-port <port>', 'Prometheus port', int('--prometheus-port'))
  .action(async (o: UpOptions & { platform: string }) => {
    if (o.platform !== 'local') {
      process.stderr.write(
        'faultline: only --platform local is available so far (kubernetes arrives with the Helm chart)\n',
      );
      process.exit(2);
    }
    if (o.detach)
      await upDetached(o, fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url)));
    else await upForeground(o);
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
  .option('--state-dir <dir>', 'state directory of the playground')
  .option('-c, --config <file>', 'playground config (for its stateDir)')
  .action(down);

program
  .command('status')
  .description('pods, readiness, roles, restarts, ports')
  .option('--json', 'the same as JSON (URLs, PIDs, labels), for scripts')
  .option('--state-dir <dir>', 'state directory of the playground')
  .option('-c, --config <file>', 'playground config (for its stateDir)')
  .action(status);

await program.parseAsync(process.argv);
