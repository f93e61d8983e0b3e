/**
 * Grafana's template expansion for a Prometheus query, as far as the dashboards use it:
 * `$var` / `${var}` (multi-value: a regex alternation, each value regex-escaped) and the
 * built-in intervals `$__rate_interval`, `$__interval`, `$__range`.
 */
export interface TemplateValues {
  variables: Readonly<Record<string, readonly string[]>>;
  /** Concrete ranges, such as '30s'. */
  rateInterval: string;
  interval: string;
  range: string;
}

/** Escapes regex metacharacters for use inside a PromQL double-quoted `=~` string. */
function regexValue(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

export function expandTemplate(expr: string, t: TemplateValues): string {
  const builtins: Record<string, string> = {
    __rate_interval: t.rateInterval,
    __interval: t.interval,
    __range: t.range,
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    // `$1` is a regex back-reference (label_replace), which Grafana leaves alone too.
    if (/^\d+$/.test(name)) return whole;
    const builtin = builtins[name];
    if (builtin !== undefined) return builtin;
    const values = t.variables[name];
    if (values === undefined) throw new Error(`unknown template variable ${whole}`);
    if (values.length === 0) throw new Error(`template variable ${whole} has no values`);
    return values.length === 1 ? regexValue(values[0]!) : values.map(regexValue).join('|');
  });
}
