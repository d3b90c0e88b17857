import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { createSchema } from '../../../src/schema.js';
import { fieldReadsOf } from '../../../src/core/graphql/field-reads.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { Organization } from '../../../src/modules/organizations/organization.entity.js';
import { EvaluationGrade } from '../../../src/modules/organizations/organization.enums.js';

/**
 * The read paths that load only the selected columns (demand lists, `organization(id:)`, the
 * directory) take what each field reads from the resolvers' own declarations (core/graphql/field-reads.ts).
 * Generated from the schema, so a field added later is covered without editing this file: every field
 * of Demand and Organization, asked alone (with `id`) by a viewer who may see it, answers without an
 * error and with the value a read of every field gives; and every field with a resolver declares
 * what it reads (otherwise its read path would fall back to loading every column).
 */

let t: TestApp;
let schema: GraphQLSchema;
let worker: SeededUser;
let hub: SeededOrganization;
let member: SeededOrganization;

beforeAll(async () => {
  // A read of every field nests several lists: above the default cost limit, which is not under test.
  t = await startTestApp({ LIMIT_MAX_COST: '10000000' });
  schema = await createSchema();
  worker = await t.seed.worker();
  hub = await t.seed.organization({ isHub: true, grade: EvaluationGrade.GRADE_4A, brandName: '暖心' });
  member = await t.seed.organization({ hubId: hub.organization.id, services: [{ name: '法律咨询' }] });
  // The worker's demands: one claimed by `member`, with her consented contact and a progress note;
  // one anonymous and closed as a duplicate of the first.
  const claimed = await t.seed.demand(worker.user.id, {
    claimedById: member.organization.id,
    status: DemandStatus.CLAIMED,
    contact: '13800000000',
    contactConsent: true,
  });
  const duplicate = await t.seed.demand(worker.user.id, { anonymous: true });
  await t.data(
    `mutation($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) { progress { note } } }`,
    { input: { demandId: toGlobalId('Demand', claimed.id), note: '已联系' } },
    member.token,
  );
  await t.orm.em
    .fork()
    .getConnection()
    .execute(`update demand set status = 'CLOSED_DUPLICATE', duplicate_of_id = ? where id = ?`, [
      claimed.id,
      duplicate.id,
    ]);
});

afterAll(() => t?.stop());

/**
 * A selection of a field's type: its leaves, and (while `depth` lasts) its object fields' selections.
 * Fields with a required argument are left out of nested selections.
 */
function selectionOf(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isInterfaceType(named) || isUnionType(named)) return '{ __typename }';
  const parts = Object.values((named as GraphQLObjectType).getFields())
    .filter((f) => !f.args.some((a) => isNonNullType(a.type)))
    .map((f) => {
      if (isLeafType(getNamedType(f.type))) return f.name;
      return depth > 0 ? `${f.name} ${selectionOf(f.type, depth - 1)}` : null;
    })
    .filter((part) => part !== null);
  return `{ __typename ${parts.join(' ')} }`;
}

/** `name` with its type's selection. */
const fieldSelection = (field: GraphQLField<unknown, unknown>) =>
  `${field.name} ${selectionOf(field.type, 1)}`;

function fieldsOf(typeName: string): GraphQLField<unknown, unknown>[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return Object.values(type.getFields());
}

/** One read path of a type: the query around a selection, and the rows it answers, by id. */
interface ReadPath {
  name: string;
  run(selection: string): Promise<Map<string, Record<string, unknown>>>;
}

type Row = Record<string, unknown>;
interface Edges {
  edges: { node: Row }[];
}
const byId = (rows: Row[]) => new Map(rows.map((row) => [row.id as string, row]));
const nodesOf = (connection: Edges) => byId(connection.edges.map((edge) => edge.node));

const demandPaths = (): ReadPath[] => [
  {
    name: 'viewer.submittedDemands (the submitter)',
    async run(selection) {
      const data = await t.data<{ viewer: { submittedDemands: Edges } }>(
        `{ viewer { submittedDemands(first: 10) { edges { node { ${selection} } } } } }`,
        {},
        worker.token,
      );
      return nodesOf(data.viewer.submittedDemands);
    },
  },
  {
    name: 'Organization.claimedDemands (a member of the claimant)',
    async run(selection) {
      const data = await t.data<{ organization: { claimedDemands: Edges } }>(
        `query($id: ID!) { organization(id: $id) { claimedDemands(first: 10) { edges { node { ${selection} } } } } }`,
        { id: toGlobalId('Organization', member.organization.id) },
        member.token,
      );
      return nodesOf(data.organization.claimedDemands);
    },
  },
];

const organizationPaths = (): ReadPath[] => [
  ...[hub, member].map((org) => ({
    name: `organization(id:) (an admin of organization ${org.organization.name})`,
    async run(selection: string) {
      const data = await t.data<{ organization: Row }>(
        `query($id: ID!) { organization(id: $id) { ${selection} } }`,
        { id: toGlobalId('Organization', org.organization.id) },
        org.token,
      );
      return byId([data.organization]);
    },
  })),
  {
    name: 'organizations (the directory, an admin of the hub)',
    async run(selection) {
      const data = await t.data<{ organizations: Edges }>(
        `{ organizations(first: 10) { edges { node { ${selection} } } } }`,
        {},
        hub.token,
      );
      return nodesOf(data.organizations);
    },
  },
];

describe.each([
  ['Demand', Demand, demandPaths],
  ['Organization', Organization, organizationPaths],
] as const)('every field of %s', (typeName, entity, paths) => {
  it('with a resolver declares what it reads', () => {
    const declared = fieldReadsOf(entity);
    const undeclared = fieldsOf(typeName)
      .filter((field) => field.resolve && !(field.name in declared))
      .map((field) => field.name);
    expect(undeclared).toEqual([]);
  });

  it('asked alone, answers as in a read of every field, on each read path', async () => {
    const fields = fieldsOf(typeName);
    for (const path of paths()) {
      const full = await path.run(fields.map(fieldSelection).join(' '));
      expect(full.size, path.name).toBeGreaterThan(0);
      for (const field of fields) {
        const alone = await path.run(`id ${fieldSelection(field)}`);
        expect([...alone.keys()], `${path.name}: ${field.name}`).toEqual([...full.keys()]);
        for (const [id, row] of alone)
          expect(row[field.name], `${path.name}: ${typeName}.${field.name} of ${id}`).toEqual(
            full.get(id)![field.name],
          );
      }
    }
  });
});
