/**
 * `make slos`: regenerates slos/generated/*.yaml from slos/*.yaml. Exits 1 with every
 * problem (file:line:col) when an SLO file is invalid, writing nothing.
 */
import { writeRuleFiles } from './generate-rules.js';
import { formatSpecProblem } from '@faultline/kit/spec-problems';
import { isSloSpecError } from './problems.js';

try {
  for (const file of writeRuleFiles()) process.stdout.write(`wrote ${file}\n`);
} catch (e) {
  if (!isSloSpecError(e)) throw e;
  process.stderr.write(`${e.problems.map(formatSpecProblem).join('\n')}\n`);
  process.exitCode = 1;
}
