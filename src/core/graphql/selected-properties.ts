import { isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Which properties of an entity a read path must load for the fields its GraphQL selection asks
 * for, so its SELECT leaves out the columns nobody asked for (records of only those properties:
 * `RecordReader.only`). On the demand feed, parsing whole rows (long descriptions, three text
 * arrays, five timestamps) was the largest part of the server's CPU after the response itself.
 *
 * A field without a resolver reads the property of its name. A field with a resolver reads what
 * its plan's `resolverReads` lists for it (the entity plans take them from the resolvers' own
 * `@reads` declarations, field-reads.ts); a field in neither (one added later and not declared)
 * makes the read load every column, so forgetting to declare a resolver costs speed, never correctness.
 */
export interface SelectionPlan {
  /** The GraphQL object type the entity is exposed as. */
  typeName: string;
  /** Properties always loaded: the key, what the access rules read, a cursor's keyset. */
  always: readonly string[];
  /** Per field with a resolver: the properties it reads of its parent. */
  resolverReads: Readonly<Record<string, readonly string[]>>;
}

/**
 * Answers per plan and field node. The answer depends only on the document (a field node belongs to
 * one parsed document, whose fragments come with it), not on variables, since directives are not
 * evaluated; documents are parsed once and reused, so a repeated query is answered from here.
 */
const answers = new WeakMap<SelectionPlan, WeakMap<FieldNode, ReadonlySet<string> | null>>();

/**
 * The properties that the current field's selection reads of its entity, under `plan`; null when
 * every column must be loaded. `shape`: the field returns the entity itself (`object`), or a
 * connection of them, read through `edges { node }` and `nodes` (`connection`).
 */
export function selectedProperties(
  info: GraphQLResolveInfo,
  plan: SelectionPlan,
  shape: 'object' | 'connection',
): ReadonlySet<string> | null {
  const key = info.fieldNodes[0];
  if (!key) return null;
  let byNode = answers.get(plan);
  if (!byNode) answers.set(plan, (byNode = new WeakMap()));
  if (byNode.has(key)) return byNode.get(key)!;
  const answer = computeSelectedProperties(info, plan, shape);
  byNode.set(key, answer);
  return answer;
}

function computeSelectedProperties(
  info: GraphQLResolveInfo,
  plan: SelectionPlan,
  shape: 'object' | 'connection',
): Set<string> | null {
  const type = info.schema.getType(plan.typeName);
  if (!isObjectType(type)) return null;
  const definitions = type.getFields();
  const properties = new Set(plan.always);
  const entities = shape === 'object' ? [...info.fieldNodes] : connectionNodes(info);
  for (const entity of entities) {
    for (const field of fieldsOf(entity.selectionSet, info)) {
      const name = field.name.value;
      if (name === '__typename') continue;
      const definition = definitions[name];
      if (!definition) return null;
      const reads = definition.resolve ? plan.resolverReads[name] : [name];
      if (!reads) return null;
      for (const property of reads) properties.add(property);
    }
  }
  return properties;
}

/** The `node` fields under `edges` and the `nodes` fields of the connection fields being resolved. */
function connectionNodes(info: GraphQLResolveInfo): FieldNode[] {
  const nodes: FieldNode[] = [];
  for (const connection of info.fieldNodes) {
    for (const field of fieldsOf(connection.selectionSet, info)) {
      if (field.name.value === 'nodes') nodes.push(field);
      if (field.name.value !== 'edges') continue;
      for (const edgeField of fieldsOf(field.selectionSet, info)) {
        if (edgeField.name.value === 'node') nodes.push(edgeField);
      }
    }
  }
  return nodes;
}

/**
 * The fields of a selection set, through inline fragments and fragment spreads. Directives are
 * ignored and type conditions not checked: at worst a field is loaded that the response skips.
 */
function fieldsOf(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet, seen);
      }
    }
  };
  visit(selectionSet, new Set());
  return fields;
}
