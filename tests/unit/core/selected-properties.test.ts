import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  isObjectType,
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { selectedProperties, type SelectionPlan } from '../../../src/core/graphql/selected-properties.js';

/**
 * selectedProperties (selected-properties.ts) decides which columns a read loads: plain fields
 * their property, resolver fields what the plan lists, and every column (null) for a resolver
 * field the plan does not list, so a forgotten plan entry costs speed, never correctness.
 */

const schema = buildSchema(`
  type Query { items: ItemConnection item: Item }
  type ItemConnection { edges: [ItemEdge] nodes: [Item] totalCount: Int }
  type ItemEdge { cursor: String node: Item }
  type Item { id: ID title: String category: String unplanned: String }
`);
const item = schema.getType('Item');
if (!isObjectType(item)) throw new Error('Item is not an object type');
item.getFields().category!.resolve = () => 'resolved';
item.getFields().unplanned!.resolve = () => 'resolved';

const PLAN: SelectionPlan = {
  typeName: 'Item',
  always: ['id'],
  resolverReads: { category: ['categoryCode'] },
};

/** The resolve info of the query's first root field, as graphql-js hands it to that resolver. */
function infoOf(query: string): GraphQLResolveInfo {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const root = operation.selectionSet.selections[0] as FieldNode;
  return { schema, fieldNodes: [root], fragments } as unknown as GraphQLResolveInfo;
}

describe('selectedProperties', () => {
  it('reads plain fields and the listed reads of resolver fields, through fragments and both connection shapes', () => {
    const info =
      infoOf(`{ items { totalCount edges { cursor node { __typename title ...F } } nodes { ... on Item { title } } } }
      fragment F on Item { category }`);
    expect(selectedProperties(info, PLAN, 'connection')).toEqual(new Set(['id', 'title', 'categoryCode']));
    expect(selectedProperties(infoOf('{ item { title } }'), PLAN, 'object')).toEqual(
      new Set(['id', 'title']),
    );
  });

  it('answers null (every column) for a resolver field the plan does not list', () => {
    expect(
      selectedProperties(infoOf('{ items { edges { node { title unplanned } } } }'), PLAN, 'connection'),
    ).toBeNull();
    expect(selectedProperties(infoOf('{ item { unplanned } }'), PLAN, 'object')).toBeNull();
  });

  it('keeps one answer per parsed document', () => {
    const info = infoOf('{ item { title } }');
    expect(selectedProperties(info, PLAN, 'object')).toBe(selectedProperties(info, PLAN, 'object'));
  });
});
