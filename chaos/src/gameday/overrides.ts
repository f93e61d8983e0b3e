/**
 * Overrides a negative control may ask for, and the environment variable each one is on the
 * platform. The runner does not restart the system to apply them: it checks that the running
 * pods have them (and that a game day without them does not run on pods that do), so a
 * weakened system is never mistaken for the real one.
 */

export interface OverrideDef {
  service: string;
  env: string;
  /** What the setting does, for refusals. */
  what: string;
  kind: 'bool' | 'int';
  /** The service's default, as its config would read an unset variable. */
  default: string;
}

export const OVERRIDES = {
  'booking.fencing': {
    service: 'booking',
    env: 'BOOKING_FENCING',
    what: 'fencing-token check on ledger writes',
    kind: 'bool',
    default: 'true',
  },
  'booking.lockTtlMs': {
    service: 'booking',
    env: 'BOOKING_LOCK_TTL_MS',
    what: 'seat lock lease',
    kind: 'int',
    default: '2000',
  },
  'booking.testStallMs': {
    service: 'booking',
    env: 'BOOKING_TEST_STALL_MS',
    what: 'test-only stall between taking the lock and writing the ledger',
    kind: 'int',
    default: '0',
  },
} as const satisfies Record<string, OverrideDef>;

export type OverrideName = keyof typeof OVERRIDES;
export const OVERRIDE_NAMES = Object.keys(OVERRIDES) as [OverrideName, ...OverrideName[]];

/** The normal form of a value (`off`, `0`, `false` → `false`), so env and spec compare. */
export function normalise(def: OverrideDef, value: string | number | boolean): string {
  if (def.kind === 'bool')
    return ['on', 'true', '1', 'yes'].includes(String(value).toLowerCase()) ? 'true' : 'false';
  return String(Number(value));
}

/**
 * Compares wanted overrides with each pod's environment (`envs`: service → one env per pod).
 * Returns one line per pod that differs: an override missing where asked for, or present on a
 * game day that did not ask for it.
 */
export function overrideMismatches(
  wanted: Partial<Record<OverrideName, string | number | boolean>>,
  envs: Record<string, { pod: string; env: Record<string, string> }[]>,
): string[] {
  const out: string[] = [];
  for (const [name, def] of Object.entries(OVERRIDES) as [OverrideName, OverrideDef][]) {
    const want = normalise(def, wanted[name] ?? def.default);
    for (const { pod, env } of envs[def.service] ?? []) {
      const have = normalise(def, env[def.env] ?? def.default);
      if (have !== want)
        out.push(
          wanted[name] === undefined
            ? `${pod} runs with ${def.env}=${env[def.env]} (${def.what}), which only a negative control may use: restart the playground without it`
            : `${pod} runs with ${def.env}=${env[def.env] ?? `(unset: ${def.default})`}, the game day needs ${want} (${def.what}): start the playground with ${def.env}=${want}`,
        );
    }
  }
  return out;
}
