import {
  BREAK,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type NamedTypeNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getDirectiveValues, getVariableValues } from 'graphql/execution/values.js';

/**
 * How many items a list field may hold, for the cost of what it selects: a number, or one worked
 * out from the field's arguments (null when they could not be read: assume the most).
 */
export type ListBound = number | ((args: Record<string, unknown> | null) => number);

/** What the cost of an operation is computed from (README, "Query cost"). */
export interface CostModel {
  /** A connection's page size when neither `first` nor `last` is given. */
  pageDefault: number;
  /** The largest page a connection serves; larger arguments are refused elsewhere, and count as this. */
  pageMax: number;
  /** Items assumed for a list field that declares no bound of its own. */
  defaultListBound: number;
  /** Declared bounds by schema coordinate (`Type.field`). */
  listBounds: Readonly<Record<string, ListBound>>;
}

/**
 * Field visits after which a document counts as too complex without further counting. Every visit
 * adds at least 1 to the cost unless a page of 0 is asked for, so only a document far over any
 * sensible limit gets here (one reusing fragments level after level).
 */
const MAX_VISITS = 1_000_000;

/**
 * The cost of running `operationName` of `document` with `variables`: an upper estimate of the
 * number of fields the response will hold, computed before anything runs.
 *
 * - A field costs 1, plus the cost of its selection multiplied by the number of items it can return:
 *   1 for a single object; for a list, its page size (a field with `first`/`last` arguments) or its
 *   declared bound (see {@link CostModel}); a connection's `edges` list counts its connection's page.
 * - Fragments and inline fragments count where they apply; on an interface or union the costliest
 *   possible type counts. Fields selected twice under one response name run once and count once.
 * - Variables are resolved (an argument that cannot be read counts as its maximum); `@skip` and
 *   `@include` are honoured. Introspection fields (`__schema`, `__type`, `__typename`) are free: the
 *   schema is small and introspection is off in production.
 *
 * The cost is a whole number, or Infinity for a document too large to count. Variables are coerced
 * and read only where they can change it (a directive, a page size, a bound worked out from
 * arguments): `readVariables` says whether any was, and when not, the cost is the same whatever the
 * variables (a mutation's input, however long, is never coerced here).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  model: CostModel,
): OperationCost {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { cost: 0, readVariables: false }; // execution reports the missing operation itself
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return { cost: 0, readVariables: false };
  let coerced: VariablesRead | undefined;
  /** The coerced variables, for a node whose arguments use them (else none are read). */
  const variablesFor = (node: FieldNode | DirectiveNode): VariablesRead => {
    if (!usesVariables(node)) return NO_VARIABLES;
    if (!coerced) {
      const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
        maxErrors: 1,
      });
      // Variables that do not coerce stop the request before execution; until then, an argument or a
      // directive that uses one counts as its worst.
      coerced = result.errors ? { known: false, values: {} } : { known: true, values: result.coerced };
    }
    return coerced;
  };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);

  let visits = 0;
  const memo = new Map<string, number>();
  const selectionIds = new WeakMap<SelectionSetNode, number>();
  let nextId = 0;
  const selectionId = (node: SelectionSetNode) => {
    let id = selectionIds.get(node);
    if (id === undefined) selectionIds.set(node, (id = nextId++));
    return id;
  };

  const included = (node: { readonly directives?: FieldNode['directives'] }): boolean => {
    if (!node.directives?.length) return true;
    let variableValues: VariablesRead['values'] = {};
    for (const directive of node.directives) {
      const read = variablesFor(directive);
      if (!read.known) return true;
      if (read !== NO_VARIABLES) variableValues = read.values;
    }
    try {
      const skip = getDirectiveValues(GraphQLSkipDirective, node, variableValues);
      if (skip?.if === true) return false;
      const include = getDirectiveValues(GraphQLIncludeDirective, node, variableValues);
      return include?.if !== false;
    } catch {
      return true;
    }
  };

  const applies = (condition: NamedTypeNode | undefined, type: GraphQLObjectType) => {
    if (!condition) return true;
    const conditionType = schema.getType(condition.name.value);
    if (!conditionType) return false;
    if (conditionType === type) return true;
    return isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };

  /** The fields that run on an object of `type` for these selection sets, by response name. */
  const collect = (
    type: GraphQLObjectType,
    selectionSets: readonly SelectionSetNode[],
    fields = new Map<string, FieldNode[]>(),
    visited = new Set<string>(),
  ): Map<string, FieldNode[]> => {
    for (const selectionSet of selectionSets) {
      for (const selection of selectionSet.selections) {
        if (!included(selection)) continue;
        if (selection.kind === 'Field') {
          const key = selection.alias?.value ?? selection.name.value;
          const existing = fields.get(key);
          if (existing) existing.push(selection);
          else fields.set(key, [selection]);
        } else if (selection.kind === 'InlineFragment') {
          if (applies(selection.typeCondition, type))
            collect(type, [selection.selectionSet], fields, visited);
        } else {
          const name = selection.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const fragment = fragments.get(name);
          if (fragment && applies(fragment.typeCondition, type))
            collect(type, [fragment.selectionSet], fields, visited);
        }
      }
    }
    return fields;
  };

  const argumentsOf = (field: GraphQLField<unknown, unknown>, node: FieldNode) => {
    const read = variablesFor(node);
    if (!read.known) return null;
    try {
      return getArgumentValues(field, node, read.values);
    } catch {
      return null;
    }
  };

  /** Items per page of a field with `first`/`last`, as the connection resolvers read them. */
  const pageSize = (args: Record<string, unknown> | null): number => {
    if (args === null) return model.pageMax;
    const first = args.first;
    const last = args.last;
    const size = typeof first === 'number' ? first : typeof last === 'number' ? last : model.pageDefault;
    return Math.max(0, Math.min(size, model.pageMax));
  };
  const isPaginated = (field: GraphQLField<unknown, unknown>) =>
    field.args.some((arg) => arg.name === 'first' || arg.name === 'last');

  /** Cost of one object's selection; `page` is the page size when the object is a connection. */
  const selectionCost = (
    type: GraphQLCompositeType,
    selectionSets: readonly SelectionSetNode[],
    page: number | null,
  ): number => {
    if (isAbstractType(type)) {
      let most = 0;
      for (const possible of schema.getPossibleTypes(type))
        most = Math.max(most, selectionCost(possible, selectionSets, page));
      return most;
    }
    const key = `${type.name}:${page}:${selectionSets.map(selectionId).join(',')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let cost = 0;
    for (const nodes of collect(type, selectionSets).values()) {
      cost += fieldCost(type, nodes, page);
      if (cost === Infinity) break;
    }
    memo.set(key, cost);
    return cost;
  };

  const fieldCost = (parent: GraphQLObjectType, nodes: FieldNode[], parentPage: number | null): number => {
    const node = nodes[0]!;
    const name = node.name.value;
    if (name.startsWith('__')) return 0;
    if (++visits > MAX_VISITS) return Infinity;
    const field = parent.getFields()[name];
    if (!field) return 0; // validation refuses unknown fields
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return 1;
    const isList = isListType(getNullableType(field.type));
    const declared = isList ? model.listBounds[`${parent.name}.${name}`] : undefined;
    const paginated = isPaginated(field);
    // Arguments are read only where they count: a page size, or a bound worked out from them.
    const args =
      field.args.length && (paginated || typeof declared === 'function') ? argumentsOf(field, node) : {};
    const ownPage = paginated ? pageSize(args) : null;
    let items = 1;
    if (isList) {
      if (declared !== undefined) items = typeof declared === 'number' ? declared : declared(args);
      else if (ownPage !== null) items = ownPage;
      else if (name === 'edges' && parentPage !== null) items = parentPage;
      else items = model.defaultListBound;
    }
    const selectionSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    // A connection's page size applies to its `edges`; a paginated list has already used it.
    const childPage = paginated && !isList ? ownPage : null;
    const selection = items === 0 ? 0 : selectionCost(named, selectionSets, childPage);
    return 1 + items * selection;
  };

  if (!isObjectType(rootType)) return { cost: 0, readVariables: false };
  const cost = selectionCost(rootType, [operation.selectionSet], null);
  return { cost, readVariables: coerced !== undefined };
}

/** What {@link operationCost} gives. */
export interface OperationCost {
  cost: number;
  /** Whether any variable was read: when not, the cost is the operation's whatever its variables. */
  readVariables: boolean;
}

/** Variables as the cost reads them: `known` false when they do not coerce. */
interface VariablesRead {
  known: boolean;
  values: Record<string, unknown>;
}

/** What a node that uses no variable reads of them. */
const NO_VARIABLES: VariablesRead = { known: true, values: {} };

/** Whether a field's or directive's arguments refer to a variable. */
function usesVariables(node: FieldNode | DirectiveNode): boolean {
  let found = false;
  for (const argument of node.arguments ?? [])
    visit(argument.value, {
      Variable() {
        found = true;
        return BREAK;
      },
    });
  return found;
}
