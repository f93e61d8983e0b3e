import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This workspace's root directory (its data files live here), found from the compiled module. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The generated Prometheus rule files, as a `rule_files` glob (absolute): what the local
 * playground's Prometheus and the chart load.
 */
export const generatedRulesGlob = join(packageRoot, 'generated', '*.yaml');
