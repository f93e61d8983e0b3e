/**
 * The status an experiment reports (the CRD's status subresource, and `chaos ls` locally):
 * phase, Kubernetes-style conditions, the exact targets recorded at apply time, and what
 * verification observed. Defined with zod so the CRD schema is generated from it too.
 */
import { z } from 'zod';

/** Lifecycle of an experiment. Terminal phases: Completed, Failed, Aborted, Refused. */
export const EXPERIMENT_PHASES = [
  'Pending',
  'Running',
  'Recovering',
  'Completed',
  'Failed',
  'Aborted',
  'Refused',
] as const;
export type ExperimentPhase = (typeof EXPERIMENT_PHASES)[number];

/** Phases after which nothing is applied any more (and no fault may remain). */
export const TERMINAL_PHASES: readonly ExperimentPhase[] = [
  'Completed',
  'Failed',
  'Aborted',
  'Refused',
];

const time = z.string().describe('RFC 3339 time, such as 2025-01-02T15:04:05Z.');

export const experimentConditionSchema = z
  .object({
    type: z
      .string()
      .describe('Condition type: Applied, Verified, Recovered, Aborted, SafetyChecked ...'),
    status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
    reason: z.string().optional().describe('One CamelCase word saying why (such as PodReplaced).'),
    message: z.string().optional().describe('Human-readable details.'),
    lastTransitionTime: time.optional(),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .describe('metadata.generation this was set for.'),
  })
  .describe('A Kubernetes-style condition.');
export type ExperimentCondition = z.infer<typeof experimentConditionSchema>;

export const recordedTargetSchema = z
  .object({
    pod: z.string().describe('Pod name.'),
    namespace: z.string().optional().describe('Pod namespace.'),
    uid: z.string().optional().describe('Pod UID at apply time (pod-kill verifies it changed).'),
    service: z.string().optional().describe('Service the pod is a replica of.'),
    role: z
      .enum(['leader', 'follower'])
      .optional()
      .describe('Role at apply time, if targeted by role.'),
  })
  .describe('A pod the fault was applied to, recorded at apply time; recovery uses exactly these.');
export type RecordedTarget = z.infer<typeof recordedTargetSchema>;

export const verificationResultSchema = z
  .object({
    pod: z.string().describe('The target pod.'),
    outcome: z
      .enum(['verified', 'not-verified', 'unverifiable'])
      .describe(
        'verified: the fault was observed; not-verified: it was not; unverifiable: no check exists.',
      ),
    observed: z.string().describe('What the check saw, such as "connect timed out after 1000 ms".'),
    at: time.optional(),
  })
  .describe('What verification observed for one target.');
export type VerificationResult = z.infer<typeof verificationResultSchema>;

export const experimentStatusSchema = z
  .object({
    phase: z
      .enum(EXPERIMENT_PHASES)
      .optional()
      .describe(`Lifecycle phase: ${EXPERIMENT_PHASES.join(', ')}.`),
    message: z.string().optional().describe('Latest human-readable summary (a refusal says why).'),
    experimentId: z
      .string()
      .optional()
      .describe('Run id: metric label, span attribute, NetworkPolicy label.'),
    mechanism: z
      .string()
      .optional()
      .describe('How the fault was made (agent, networkpolicy, pod-delete).'),
    startedAt: time.optional(),
    endsAt: time.optional().describe('When the fault is due to be recovered.'),
    finishedAt: time.optional(),
    observedGeneration: z.number().int().optional().describe('metadata.generation last acted on.'),
    conditions: z.array(experimentConditionSchema).optional(),
    targets: z.array(recordedTargetSchema).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(0xffff_ffff)
      .optional()
      .describe(
        "The seed the run used (spec.seed, or the random one drawn): it chose the targets and seeds the faults' randomness; a restarted controller re-applies with it.",
      ),
    verification: z.array(verificationResultSchema).optional(),
    rounds: z
      .number()
      .int()
      .optional()
      .describe('pod-kill with repeat: kill rounds done so far, the first included.'),
  })
  .describe('What the controller did and observed; written only through the status subresource.');
export type ExperimentStatus = z.infer<typeof experimentStatusSchema>;
