/**
 * Turns a JSON Schema (as zod emits it) into a Kubernetes *structural* OpenAPI v3 schema, the
 * form a CRD's openAPIV3Schema must take: every node typed, no $ref/$defs/const, no
 * `additionalProperties: false` next to `properties`, numeric exclusive bounds as booleans, and
 * no anyOf/oneOf carrying types. Unions are flattened: a union of objects becomes one object
 * with every variant's fields (the discriminator's values merged into one enum); any other
 * union becomes `x-kubernetes-preserve-unknown-fields`. The controller validates the full spec
 * with zod anyway; the CRD schema is for `kubectl explain`, pruning and early feedback.
 */

/** A JSON Schema or OpenAPI node, loosely typed: this code only moves keys around. */
export type SchemaNode = { [key: string]: unknown };

/** Formats the Kubernetes API server understands; any other `format` is dropped. */
const KUBE_FORMATS = new Set([
  'int32',
  'int64',
  'float',
  'double',
  'byte',
  'date',
  'date-time',
  'password',
]);

const DROP = new Set(['$schema', '$id', '$defs', 'definitions', 'propertyNames', 'const', 'id']);

/** Converts one JSON Schema node (and its children) to a structural OpenAPI v3 node. */
export function toStructuralSchema(node: SchemaNode): SchemaNode {
  if (typeof node.$ref === 'string') {
    throw new Error(`unexpected $ref ${node.$ref}: inline every schema before converting`);
  }
  const union = (node.oneOf ?? node.anyOf) as SchemaNode[] | undefined;
  if (union) return flattenUnion(node, union);

  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key)) continue;
    if (key === 'format' && !KUBE_FORMATS.has(String(value))) continue;
    if (key === 'properties') {
      out.properties = mapValues(value as Record<string, SchemaNode>, toStructuralSchema);
    } else if (key === 'items') {
      out.items = toStructuralSchema(value as SchemaNode);
    } else if (key === 'additionalProperties') {
      // Pruning drops unknown fields already; `false` next to `properties` is not allowed.
      if (typeof value === 'object' && value !== null)
        out.additionalProperties = toStructuralSchema(value as SchemaNode);
    } else if (key === 'exclusiveMinimum' && typeof value === 'number') {
      out.minimum = value;
      out.exclusiveMinimum = true;
    } else if (key === 'exclusiveMaximum' && typeof value === 'number') {
      out.maximum = value;
      out.exclusiveMaximum = true;
    } else {
      out[key] = value;
    }
  }
  if ('const' in node) out.enum = [node.const];
  if (out.type === undefined) {
    return { ...pick(out, ['description']), 'x-kubernetes-preserve-unknown-fields': true };
  }
  return out;
}

function flattenUnion(node: SchemaNode, variants: SchemaNode[]): SchemaNode {
  const description = node.description as string | undefined;
  const converted = variants.map(toStructuralSchema);
  if (!converted.every((v) => v.type === 'object' && v.properties !== undefined)) {
    // Mixed shapes (a string or an object): structural schemas cannot say that; accept any value.
    return {
      ...(description ? { description } : {}),
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  const discriminator = findDiscriminator(converted);
  const properties: Record<string, SchemaNode> = {};
  const usedBy: Record<string, string[]> = {};
  for (const v of converted) {
    const tag = discriminator
      ? String(((v.properties as Record<string, SchemaNode>)[discriminator]?.enum as unknown[])[0])
      : undefined;
    for (const [name, prop] of Object.entries(v.properties as Record<string, SchemaNode>)) {
      const seen = properties[name];
      if (seen === undefined) {
        properties[name] = { ...prop };
      } else if (Array.isArray(seen.enum) && Array.isArray(prop.enum)) {
        seen.enum = [...new Set([...(seen.enum as unknown[]), ...(prop.enum as unknown[])])];
      }
      if (seen !== undefined && JSON.stringify(seen.default) !== JSON.stringify(prop.default)) {
        delete properties[name]?.default; // defaults differ per variant: the controller fills them in
      }
      if (tag !== undefined && name !== discriminator) (usedBy[name] ??= []).push(tag);
    }
  }
  // The API server applies a default wherever the field is absent, whatever the tag: a default
  // of a field that only some variants have would be written into the others (jitterMs into a
  // pod-kill), which the controller's strict per-variant schema then refuses. Keep defaults
  // only on fields every variant has; the controller fills in the rest.
  for (const [name, prop] of Object.entries(properties)) {
    const everywhere = converted.every(
      (v) => (v.properties as Record<string, SchemaNode>)[name] !== undefined,
    );
    if (!everywhere) delete prop.default;
  }
  for (const [name, tags] of Object.entries(usedBy)) {
    const prop = properties[name];
    if (prop === undefined) continue;
    const text = `(${discriminator}: ${tags.join(', ')})`;
    prop.description = typeof prop.description === 'string' ? `${prop.description} ${text}` : text;
  }
  if (discriminator !== undefined) {
    const d = properties[discriminator];
    if (d) d.description = `One of: ${(d.enum as unknown[]).join(', ')}.`;
  }
  const requiredSets = converted.map((v) => new Set((v.required as string[] | undefined) ?? []));
  const required = [...(requiredSets[0] ?? [])].filter((r) => requiredSets.every((s) => s.has(r)));
  return {
    ...(description ? { description } : {}),
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    properties,
  };
}

/** A property every variant has with a single enum value: the union's tag (such as `type`). */
function findDiscriminator(variants: SchemaNode[]): string | undefined {
  const first = variants[0]?.properties as Record<string, SchemaNode> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((name) =>
    variants.every((v) => {
      const p = (v.properties as Record<string, SchemaNode>)[name];
      return (
        Array.isArray(p?.enum) &&
        p.enum.length === 1 &&
        ((v.required as string[] | undefined) ?? []).includes(name)
      );
    }),
  );
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function pick(o: SchemaNode, keys: string[]): SchemaNode {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/**
 * Problems that would make the API server reject `schema` as non-structural (a subset of its
 * rules: the ones conversion could get wrong). Empty when fine.
 */
export function structuralViolations(schema: SchemaNode, path = ''): string[] {
  const out: string[] = [];
  for (const bad of ['$ref', '$defs', 'const', 'oneOf', 'anyOf', 'allOf', 'not', 'propertyNames']) {
    if (bad in schema) out.push(`${path || '(root)'}: ${bad} is not allowed here`);
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  if (schema.type === undefined && !preserve && !intOrString)
    out.push(`${path || '(root)'}: no type`);
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) {
    out.push(`${path}: properties and additionalProperties together`);
  }
  if (typeof schema.exclusiveMinimum === 'number' || typeof schema.exclusiveMaximum === 'number') {
    out.push(`${path}: exclusive bounds must be booleans in OpenAPI v3`);
  }
  for (const [name, prop] of Object.entries(
    (schema.properties as Record<string, SchemaNode> | undefined) ?? {},
  )) {
    out.push(...structuralViolations(prop, `${path}.${name}`));
  }
  if (typeof schema.items === 'object' && schema.items !== null) {
    out.push(...structuralViolations(schema.items as SchemaNode, `${path}[]`));
  }
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
    out.push(...structuralViolations(schema.additionalProperties as SchemaNode, `${path}{}`));
  }
  return out;
}
