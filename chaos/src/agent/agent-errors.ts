/** Client errors the agent raises outside zod validation (unknown link, no app pid...). */
import type { ErrorDetail } from '@faultline/kit/http-errors';

export class AgentRequestError extends Error {
  readonly isAgentRequestError = true;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details: ErrorDetail[],
  ) {
    super(details.map((d) => `${d.path}: ${d.message}`).join('; ') || code);
    this.name = 'AgentRequestError';
  }
}

/** Brand guard: works across copies of this package, unlike `instanceof`. */
export function isAgentRequestError(e: unknown): e is AgentRequestError {
  return (
    typeof e === 'object' && e !== null && (e as AgentRequestError).isAgentRequestError === true
  );
}
