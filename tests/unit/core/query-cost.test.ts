import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, getNullableType, isListType, isObjectType, parse } from 'graphql';
import { operationCost, type CostModel } from '../../../src/core/graphql/query-cost.js';
import { DEFAULT_LIST_BOUND, LIST_BOUNDS } from '../../../src/list-bounds.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Region implements Node { id: ID! code: String! parent: Region children: [Region!]! tags: [String!]! }
  type Org implements Node { id: ID! name: String! services: [Service!]! }
  type Service { name: String! }
  type OrgEdge { cursor: String! node: Org! }
  type OrgConnection { totalCount: Int! edges: [OrgEdge!]! }
  type Query {
    regions(level: String): [Region!]!
    region(code: String!): Region
    orgs(first: Int, last: Int): OrgConnection!
    deliveries(first: Int! = 7): [Service!]!
    node(id: ID!): Node
    things: [Service!]!
  }
`);

const model: CostModel = {
  pageDefault: 20,
  pageMax: 100,
  defaultListBound: 10,
  listBounds: { 'Region.children': 4, 'Query.regions': (args) => (args?.level === 'ALL' ? 50 : 5) },
};

const costOf = (query: string, variables?: Record<string, unknown>) =>
  operationCost(schema, parse(query), undefined, variables, model);
const cost = (query: string, variables?: Record<string, unknown>) => costOf(query, variables).cost;

describe('operationCost', () => {
  it('counts each field once on a single object', () => {
    expect(cost('{ region(code: "1") { code parent { code } } }')).toBe(1 + (1 + (1 + 1)));
  });

  it('multiplies a list field’s selection by its declared bound, nested lists multiplying', () => {
    expect(cost('{ region(code: "1") { children { code } } }')).toBe(1 + (1 + 4 * 1));
    expect(cost('{ region(code: "1") { children { children { code } } } }')).toBe(1 + (1 + 4 * (1 + 4)));
  });

  it('uses the default bound for a list with none declared, and a bound worked out from arguments', () => {
    expect(cost('{ things { name } }')).toBe(1 + 10);
    expect(cost('{ regions { code } }')).toBe(1 + 5);
    expect(cost('{ regions(level: "ALL") { code } }')).toBe(1 + 50);
  });

  it('counts a list of scalars as one leaf', () => {
    expect(cost('{ region(code: "1") { tags } }')).toBe(2);
  });

  it('multiplies a connection’s edges by `first` or `last`, with the default page when neither is given', () => {
    const page = (args: string) => cost(`{ orgs${args} { totalCount edges { node { name } } } }`);
    // orgs 1 + totalCount 1 + edges (1 + n × (node 1 + name 1))
    expect(page('(first: 5)')).toBe(1 + 1 + 1 + 5 * 2);
    expect(page('(first: 100)')).toBe(1 + 1 + 1 + 100 * 2);
    expect(page('(last: 3)')).toBe(1 + 1 + 1 + 3 * 2);
    expect(page('')).toBe(1 + 1 + 1 + 20 * 2);
    // Above the maximum is refused by the resolvers' validation; it counts as the maximum here.
    expect(page('(first: 1000)')).toBe(page('(first: 100)'));
  });

  it('uses a paginated list’s own `first`, its schema default included', () => {
    expect(cost('{ deliveries { name } }')).toBe(1 + 7);
    expect(cost('{ deliveries(first: 50) { name } }')).toBe(1 + 50);
  });

  it('resolves variables, and counts an argument whose variables do not coerce as its maximum', () => {
    const query = 'query($n: Int) { orgs(first: $n) { edges { node { name } } } }';
    expect(cost(query, { n: 2 })).toBe(1 + 1 + 2 * 2);
    expect(cost(query, {})).toBe(1 + 1 + 20 * 2);
    expect(cost(query, { n: 'many' })).toBe(1 + 1 + 100 * 2);
  });

  it('counts fragments and inline fragments, and the costliest type behind an interface', () => {
    const direct = cost('{ region(code: "1") { children { code } } }');
    expect(cost('{ region(code: "1") { ...R } } fragment R on Region { children { code } }')).toBe(direct);
    expect(cost('{ region(code: "1") { ... on Region { children { code } } } }')).toBe(direct);
    // node: Region's selection costs 1 + 4, Org's 1 + 10: the most it can be is Org's.
    expect(
      cost('{ node(id: "1") { id ... on Region { children { code } } ... on Org { services { name } } } }'),
    ).toBe(1 + 1 + (1 + 10));
  });

  it('counts a field selected twice under one name once, and aliases separately', () => {
    const once = cost('{ region(code: "1") { children { code } } }');
    expect(cost('{ region(code: "1") { children { code } children { code } } }')).toBe(once);
    expect(
      cost('{ a: region(code: "1") { children { code } } b: region(code: "1") { children { code } } }'),
    ).toBe(2 * once);
  });

  it('honours @skip and @include, with variables', () => {
    const query = 'query($s: Boolean!) { region(code: "1") { code children @skip(if: $s) { code } } }';
    expect(cost(query, { s: true })).toBe(1 + 1);
    expect(cost(query, { s: false })).toBe(1 + 1 + (1 + 4));
  });

  it('reads variables only where they count: a page size, a bound from arguments, @skip and @include', () => {
    const reads = (query: string, variables: Record<string, unknown>) =>
      costOf(query, variables).readVariables;
    // An argument that changes no count (an object's code, a mutation's input) is never read.
    expect(reads('query($c: String!) { region(code: $c) { children { code } } }', { c: '1' })).toBe(false);
    expect(reads('query($c: String!) { region(code: $c) { code } }', { c: 1 })).toBe(false);
    expect(reads('query($n: Int) { orgs(first: $n) { edges { node { name } } } }', { n: 5 })).toBe(true);
    expect(reads('query($l: String) { regions(level: $l) { code } }', { l: 'ALL' })).toBe(true);
    expect(reads('query($s: Boolean!) { region(code: "1") { code @skip(if: $s) } }', { s: true })).toBe(true);
    // Literal arguments and directives read none.
    expect(reads('{ orgs(first: 5) { edges { node { name } } } }', {})).toBe(false);
    expect(reads('{ region(code: "1") { code @skip(if: true) } }', {})).toBe(false);
  });

  it('counts variables that do not coerce as their worst case, and reads them', () => {
    const query = 'query($n: Int) { orgs(first: $n) { edges { node { name } } } }';
    expect(costOf(query, { n: 'many' })).toEqual({ cost: 1 + 1 + 100 * 2, readVariables: true });
  });

  it('leaves introspection free', () => {
    expect(cost('{ __schema { types { name fields { name args { name } } } } }')).toBe(0);
    expect(cost('{ region(code: "1") { __typename } }')).toBe(1);
  });

  it('counts a document that reuses fragments level after level without walking every path', () => {
    const levels = 30;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Region { parent { ...F${i + 1} } children { ...F${i + 1} } }`,
    ).join(' ');
    const query = `{ region(code: "1") { ...F0 } } ${fragments} fragment F${levels} on Region { code }`;
    expect(cost(query)).toBeGreaterThan(4 ** levels);
  });
});

/**
 * The hub's schema as published (`schema/schema.graphql`; CI fails when it drifts from the code):
 * building it from the resolvers would import every module of the app into the unit tests.
 */
const hubSchema = () =>
  buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));

describe("the hub's declared list bounds", () => {
  it('name list fields of the schema', () => {
    const hub = hubSchema();
    for (const coordinate of Object.keys(LIST_BOUNDS)) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const type = hub.getType(typeName);
      const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
      expect(field && isListType(getNullableType(field.type)), coordinate).toBe(true);
    }
  });

  it('cost the front door’s lists: connections by their page, progress notes and memberships by their bounds', () => {
    const hub = hubSchema();
    const hubModel: CostModel = {
      pageDefault: 20,
      pageMax: 100,
      defaultListBound: DEFAULT_LIST_BOUND,
      listBounds: LIST_BOUNDS,
    };
    const costOf = (query: string) => operationCost(hub, parse(query), undefined, {}, hubModel).cost;
    // viewer 1 + submittedDemands 1 + edges (1 + 100 × (node 1 + progressNotes (1 + 50 × note 1)))
    expect(
      costOf('{ viewer { submittedDemands(first: 100) { edges { node { progressNotes { note } } } } } }'),
    ).toBe(1 + 1 + 1 + 100 * (1 + 1 + 50));
    // viewer 1 + memberships (1 + 50 × (organization (1 + claimedDemands (1 + edges (1 + 10 × (node 1 + id 1))))))
    expect(
      costOf(
        '{ viewer { memberships { organization { claimedDemands(first: 10) { edges { node { id } } } } } } }',
      ),
    ).toBe(1 + 1 + 50 * (1 + 1 + 1 + 10 * 2));
    expect(costOf('{ viewer { endorsedDemands(first: 5) { edges { node { id } } } } }')).toBe(
      1 + 1 + 1 + 5 * 2,
    );
  });

  it('put the alias-and-nesting query of regions far over any limit', () => {
    const hub = hubSchema();
    const hubModel: CostModel = {
      pageDefault: 20,
      pageMax: 100,
      defaultListBound: DEFAULT_LIST_BOUND,
      listBounds: LIST_BOUNDS,
    };
    const nested =
      'regions { children { children { parent { children { parent { children { parent { children { code } } } } } } } } }';
    const aliases = [1, 2, 3, 4, 5].map((i) => `a${i}: ${nested}`).join(' ');
    expect(operationCost(hub, parse(`{ ${aliases} }`), undefined, {}, hubModel).cost).toBeGreaterThan(1e9);
  });
});
