/**
 * Problems in SLO files, positioned at the YAML node they concern (`FILE:LINE:COL: path:
 * message; allowed: …`): the kit's spec problems, the same the experiment loader reports.
 */
import { formatSpecProblem, type SpecProblem } from '@faultline/kit/spec-problems';

const SLO_SPEC_ERROR = Symbol.for('faultline.SloSpecError');

/** SLO files that cannot be used, with every problem found in all of them. */
export class SloSpecError extends Error {
  readonly [SLO_SPEC_ERROR] = true;
  constructor(readonly problems: readonly SpecProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in SLO files:\n` +
        problems.map(formatSpecProblem).join('\n'),
    );
    this.name = 'SloSpecError';
  }
}

/** Brand guard (works across package copies, unlike instanceof). */
export function isSloSpecError(e: unknown): e is SloSpecError {
  return typeof e === 'object' && e !== null && SLO_SPEC_ERROR in e;
}
