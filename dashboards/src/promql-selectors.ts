/**
 * The metric names a PromQL expression selects, read with Prometheus's own grammar
 * (lezer-promql): plain names (`foo_total{…}`) and `__name__` matchers (`{__name__=~"slo:.+"}`).
 * A query that does not parse is an error naming where.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface SelectedMetrics {
  /** Names selected literally (`foo` or `{__name__="foo"}`). */
  names: string[];
  /** Regular expressions matched against `__name__` (`{__name__=~"…"}`), fully anchored. */
  patterns: string[];
}

export class PromqlSyntaxError extends Error {
  readonly isPromqlSyntaxError = true;
}

/** Brand guard (safe across package copies). */
export function isPromqlSyntaxError(e: unknown): e is PromqlSyntaxError {
  return typeof e === 'object' && e !== null && 'isPromqlSyntaxError' in e;
}

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  // PromQL strings use Go escapes, a superset JSON accepts for the characters used here.
  return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1)}"` : literal) as string;
}

export function selectedMetrics(expr: string): SelectedMetrics {
  const names = new Set<string>();
  const patterns = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        const at = node.from;
        throw new PromqlSyntaxError(
          `PromQL syntax error at offset ${String(at)} (…${expr.slice(Math.max(0, at - 20), at + 20)}…)`,
        );
      }
      if (node.name !== 'VectorSelector') return;
      const selector = node.node;
      const id = selector.getChild('Identifier');
      if (id) names.add(expr.slice(id.from, id.to));
      for (const m of selector.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ??
        []) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!label || !op || !value || expr.slice(label.from, label.to) !== '__name__') continue;
        const text = unquote(expr.slice(value.from, value.to));
        const operator = expr.slice(op.from, op.to);
        if (operator === '=') names.add(text);
        else if (operator === '=~') patterns.add(text);
      }
    },
  });
  return { names: [...names].sort(), patterns: [...patterns].sort() };
}
