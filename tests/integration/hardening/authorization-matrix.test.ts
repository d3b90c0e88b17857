import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { Role } from '../../../src/core/roles.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { createSchema } from '../../../src/schema.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
import { until } from '../../setup/probes.js';

/**
 * The role gate of every root field (query, mutation, subscription) × every kind of caller.
 *
 * `public`: anyone, anonymous included. `signedIn`: any signed-in caller (ownership and region scope
 * are the service's to check). A list of roles: `@Authorized(...)` — a signed-in caller without one
 * of them gets FORBIDDEN naming the roles, an anonymous one UNAUTHENTICATED.
 *
 * A field added to the schema without a row here fails the first test: decide who may call it.
 */
type Gate = 'public' | 'signedIn' | readonly Role[];

const PUBLISHERS = [Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF] as const;

const GATES: Record<string, Gate> = {
  // Queries
  'Query.viewer': 'public',
  'Query.regions': 'public',
  'Query.region': 'public',
  'Query.serviceCategories': 'public',
  'Query.serviceCategory': 'public',
  'Query.targetGroups': 'public',
  'Query.organizations': 'public',
  'Query.organization': 'public',
  'Query.organizationStats': 'public',
  'Query.projects': 'public',
  'Query.project': 'public',
  'Query.publishers': 'public',
  'Query.node': 'public',
  'Query.nodes': 'public',
  'Query.auditTrail': 'public',
  'Query.supplyDemandGap': 'public',
  'Query.awardFairness': 'public',
  'Query.suggestedProjects': [Role.UNION_STAFF, Role.ADMIN],
  'Query.demands': 'signedIn',
  'Query.demand': 'signedIn',
  'Query.matchingOrganizations': 'signedIn',
  'Query.similarOpenDemands': [Role.WORKER],
  'Query.accounts': [Role.ADMIN],
  // Mutations: accounts
  'Mutation.signUp': 'public',
  'Mutation.signIn': 'public',
  'Mutation.createStaffAccount': [Role.ADMIN, Role.UNION_STAFF],
  'Mutation.setAccountStatus': [Role.ADMIN],
  // organizations
  'Mutation.registerOrganization': 'signedIn',
  'Mutation.updateOrganization': 'signedIn',
  'Mutation.verifyOrganization': 'signedIn',
  'Mutation.suspendOrganization': 'signedIn',
  'Mutation.setHubStatus': 'signedIn',
  // the sponsor hub's admins and platform admins, checked by the service
  'Mutation.decideSponsoredGroup': 'signedIn',
  'Mutation.removeOrganizationDocument': 'signedIn',
  'Mutation.addService': 'signedIn',
  'Mutation.updateService': 'signedIn',
  'Mutation.removeService': 'signedIn',
  'Mutation.addOrganizationMember': 'signedIn',
  'Mutation.removeOrganizationMember': 'signedIn',
  'Mutation.setOrganizationMemberRole': 'signedIn',
  'Mutation.requestHubMembership': 'signedIn',
  'Mutation.decideHubMembership': 'signedIn',
  'Mutation.importRegions': [Role.ADMIN],
  // demands
  'Mutation.submitDemand': [Role.WORKER, Role.UNION_STAFF],
  'Mutation.endorseDemand': [Role.WORKER],
  'Mutation.withdrawDemand': 'signedIn',
  'Mutation.claimDemand': 'signedIn',
  'Mutation.releaseDemand': 'signedIn',
  'Mutation.reportDemandProgress': 'signedIn',
  'Mutation.fulfilDemand': 'signedIn',
  'Mutation.rateDemand': 'signedIn',
  'Mutation.closeDemand': [Role.UNION_STAFF, Role.ADMIN],
  // projects
  'Mutation.createPublisher': [Role.ADMIN, Role.UNION_STAFF],
  'Mutation.addPublisherStaff': [Role.ADMIN, Role.UNION_STAFF],
  'Mutation.publishProject': PUBLISHERS,
  'Mutation.updateProject': PUBLISHERS,
  'Mutation.cancelProject': PUBLISHERS,
  'Mutation.startProject': PUBLISHERS,
  'Mutation.awardProject': PUBLISHERS,
  'Mutation.completeProject': PUBLISHERS,
  'Mutation.shortlistApplication': PUBLISHERS,
  'Mutation.createProjectFromDemands': [Role.UNION_STAFF],
  'Mutation.applyToProject': [Role.ORG_ADMIN],
  'Mutation.withdrawApplication': [Role.ORG_ADMIN],
  'Mutation.reportProjectDemands': [Role.ORG_ADMIN],
  'Mutation.planProject': PUBLISHERS,
  'Mutation.scoreApplication': PUBLISHERS,
  // webhooks: the organization's admins, checked by the service
  'Query.webhooks': 'signedIn',
  'Query.webhookDeliveries': 'signedIn',
  'Mutation.registerWebhook': 'signedIn',
  'Mutation.deleteWebhook': 'signedIn',
  'Mutation.enableWebhook': 'signedIn',
  'Mutation.pingWebhook': 'signedIn',
  'Query.notifications': 'signedIn',
  'Query.unreadNotificationCount': 'signedIn',
  'Mutation.markNotificationsRead': 'signedIn',
  'Subscription.notificationReceived': 'signedIn',
  'Query.notificationPreferences': 'signedIn',
  'Mutation.updateNotificationPreferences': 'signedIn',
  'Mutation.updateOrganizationNotificationDefaults': 'signedIn',
  // Subscriptions
  'Subscription.demandPublished': 'signedIn',
  'Subscription.demandUpdated': 'signedIn',
  'Subscription.projectPublished': 'signedIn',
  'Subscription.applicationDecided': 'signedIn',
  // after the award: contracts (the publisher's staff and the contracted organization's members,
  // checked by the service) and workers' confirmed outcomes (the demand's own worker)
  'Mutation.signContract': PUBLISHERS,
  'Mutation.reportMilestone': [Role.ORG_ADMIN, Role.ORG_MEMBER],
  'Mutation.acceptMilestone': PUBLISHERS,
  'Mutation.returnMilestone': PUBLISHERS,
  'Mutation.recordPayment': PUBLISHERS,
  'Mutation.confirmProjectOutcome': 'signedIn',
  // clarifications and complaints (the organization's members, the publisher's staff, admins and
  // designated union reviewers, checked again by the services)
  'Mutation.askProjectQuestion': [Role.ORG_ADMIN, Role.ORG_MEMBER],
  'Mutation.answerProjectQuestion': PUBLISHERS,
  'Mutation.fileComplaint': [Role.ORG_ADMIN, Role.ORG_MEMBER],
  'Mutation.respondToComplaint': PUBLISHERS,
  'Mutation.designateComplaintReviewer': [Role.ADMIN],
  'Mutation.ruleOnComplaint': [Role.ADMIN, Role.UNION_STAFF],
};

/** Every kind of caller the platform has. */
const CALLERS = [
  'anonymous',
  'worker',
  'submitter',
  'ownerMember',
  'ownerAdmin',
  'otherMember',
  'otherAdmin',
  'unionInScope',
  'unionOutOfScope',
  'gov',
  'enterprise',
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];

let schema: GraphQLSchema;
let t: TestApp;
const users = {} as Record<Exclude<Caller, 'anonymous'>, SeededUser>;
let demandId: string;
let ownerOrgId: string;
const SECRET_CONTACT = '13912345678';

beforeAll(async () => {
  schema = await createSchema();
  t = await startTestApp();
  const owner = await t.seed.organization({ regionCodes: ['370100'], categoryCodes: ['LIFE'] });
  const other = await t.seed.organization({ homeRegionCode: '370200', regionCodes: ['370200'] });
  ownerOrgId = toGlobalId('Organization', owner.organization.id);
  Object.assign(users, {
    worker: await t.seed.worker(),
    submitter: await t.seed.worker(),
    ownerAdmin: owner.admin,
    ownerMember: await t.seed.organizationMember(owner.organization.id, MemberRole.ORG_MEMBER),
    otherAdmin: other.admin,
    otherMember: await t.seed.organizationMember(other.organization.id, MemberRole.ORG_MEMBER),
    unionInScope: await t.seed.unionStaff('370100'),
    unionOutOfScope: await t.seed.unionStaff('370200'),
    gov: await t.seed.user([Role.GOV_STAFF], { regionCode: '370100' }),
    enterprise: await t.seed.user([Role.ENTERPRISE_STAFF]),
    admin: await t.seed.admin(),
  });
  const submitted = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: '夜班职工子女托管',
        description: '夜班期间孩子无人照看。',
        categoryCode: 'LIFE',
        regionCode: '370102',
        contact: SECRET_CONTACT,
      },
    },
    users.submitter.token,
  );
  demandId = submitted.submitDemand.demand.id;
});
afterAll(() => t.stop());

function rootFields(): {
  key: string;
  kind: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
}[] {
  const roots: [GraphQLObjectType | null | undefined, 'query' | 'mutation' | 'subscription'][] = [
    [schema.getQueryType(), 'query'],
    [schema.getMutationType(), 'mutation'],
    [schema.getSubscriptionType(), 'subscription'],
  ];
  return roots.flatMap(([type, kind]) =>
    type
      ? Object.values(type.getFields()).map((field) => ({ key: `${type.name}.${field.name}`, kind, field }))
      : [],
  );
}

/** A value of the right GraphQL type for a required argument: enough to pass variable coercion. */
function sample(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return sample(type.ofType, name);
  if (isListType(type)) return [sample(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields()))
      if (isNonNullType(field.type) && field.defaultValue === undefined)
        out[field.name] = sample(field.type, field.name);
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        // Known objects where the name says which, so the call reaches the real rules.
        if (/demand/i.test(name)) return demandId;
        if (/organization/i.test(name)) return ownerOrgId;
        return toGlobalId('Nothing', 1);
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return new Date().toISOString();
      default:
        return /code/i.test(name) ? '370100' : 'x';
    }
  }
  return null;
}

/** The smallest operation calling `field`, with variables for its required arguments. */
function operation(
  kind: string,
  field: GraphQLField<unknown, unknown>,
): { query: string; variables: Record<string, unknown> } {
  const args = field.args.filter(
    (a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined,
  );
  const defs = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const variables = Object.fromEntries(args.map((a) => [a.name, sample(a.type, a.name)]));
  const named = getNamedType(field.type);
  const selection = 'getFields' in named ? ' { __typename }' : '';
  return {
    query: `${kind}${defs ? `(${defs})` : ''} { ${field.name}${call ? `(${call})` : ''}${selection} }`,
    variables,
  };
}

function tokenOf(caller: Caller): string | null {
  return caller === 'anonymous' ? null : users[caller].token;
}

/** The roles a caller holds (organization roles from memberships). */
function rolesOf(caller: Caller): Set<Role> {
  const roles: Record<Caller, Role[]> = {
    anonymous: [],
    worker: [Role.WORKER],
    submitter: [Role.WORKER],
    ownerMember: [Role.WORKER, Role.ORG_MEMBER],
    ownerAdmin: [Role.WORKER, Role.ORG_ADMIN],
    otherMember: [Role.WORKER, Role.ORG_MEMBER],
    otherAdmin: [Role.WORKER, Role.ORG_ADMIN],
    unionInScope: [Role.UNION_STAFF],
    unionOutOfScope: [Role.UNION_STAFF],
    gov: [Role.GOV_STAFF],
    enterprise: [Role.ENTERPRISE_STAFF],
    admin: [Role.ADMIN],
  };
  return new Set(roles[caller]);
}

/** What the gate must answer: null when the call must get past it. */
function expectedGate(gate: Gate, caller: Caller): 'UNAUTHENTICATED' | 'FORBIDDEN' | null {
  if (gate === 'public') return null;
  if (caller === 'anonymous') return 'UNAUTHENTICATED';
  if (gate === 'signedIn') return null;
  const held = rolesOf(caller);
  return gate.some((r) => held.has(r)) ? null : 'FORBIDDEN';
}

describe('the authorization matrix', () => {
  it('has a row for every query, mutation and subscription of the schema, and none for a field that is gone', () => {
    const inSchema = rootFields()
      .map((f) => f.key)
      .sort();
    expect(
      Object.keys(GATES).filter((k) => !inSchema.includes(k)),
      'rows without a field',
    ).toEqual([]);
    expect(
      inSchema.filter((k) => !(k in GATES)),
      'fields without a row',
    ).toEqual([]);
  });

  it('answers every field × caller as its gate says, and never with a crash', async () => {
    const problems: string[] = [];
    for (const { key, kind, field } of rootFields()) {
      const gate = GATES[key];
      if (gate === undefined) continue;
      const { query, variables } = operation(kind, field);
      for (const caller of CALLERS) {
        const body =
          kind === 'subscription'
            ? await firstOf(t.ws({ token: tokenOf(caller) }), query, variables)
            : (await t.gql(query, variables, tokenOf(caller))).body;
        const error = body.errors?.[0];
        const code = error?.extensions?.code ?? 'OK';
        // The gate's own words (a wrong password is UNAUTHENTICATED too, but not the gate's doing).
        const gateSaid =
          (code === 'UNAUTHENTICATED' && /must be signed in/.test(error?.message ?? '')) ||
          (code === 'FORBIDDEN' && /needs one of the roles/.test(error?.message ?? ''));
        const expected = expectedGate(gate, caller);
        if (code === 'INTERNAL_SERVER_ERROR' || code === 'GRAPHQL_VALIDATION_FAILED')
          problems.push(`${key} × ${caller}: ${code} ${error?.message ?? ''}`);
        else if (expected && code !== expected)
          problems.push(`${key} × ${caller}: expected ${expected}, got ${code}`);
        else if (!expected && gateSaid)
          problems.push(`${key} × ${caller}: refused at the gate (${code}) but should pass it`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

/**
 * The first result (or error) of an operation over WebSocket. A live subscription that got past
 * every check is counted in the match index: it then counts as answered without error, and ends.
 */
async function firstOf(
  client: ReturnType<TestApp['ws']>,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[] }> {
  const index = t.app.services.events.index;
  const before = index.size;
  let answer: Awaited<ReturnType<typeof firstOf>> | null = null;
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => void (answer ??= value as never),
      error: (error) =>
        void (answer ??= Array.isArray(error)
          ? { errors: error }
          : { errors: [{ message: String(error), extensions: { code: 'UNAUTHENTICATED' } }] }),
      complete: () => void (answer ??= {}),
    },
  );
  await until(() => answer !== null || index.size > before, 10_000, 5, `an answer to ${query}`);
  dispose();
  // Gone from the index again before the next call counts from it.
  await until(() => index.size === before, 10_000, 5, 'the subscription ended');
  return answer ?? {};
}

describe('contact data and reach', () => {
  const DEMAND = `query($id: ID!) { demand(id: $id) { id contact } }`;
  const NODE = `query($id: ID!) { node(id: $id) { id ... on Demand { contact } } }`;
  const LIST = `{ demands(first: 100) { edges { node { id contact } } } }`;

  it('never shows a worker’s contact to anyone but the submitter, union staff in scope and admins', async () => {
    const leaks: string[] = [];
    for (const caller of CALLERS) {
      const token = tokenOf(caller);
      const seen = JSON.stringify([
        (await t.gql(DEMAND, { id: demandId }, token)).body,
        (await t.gql(NODE, { id: demandId }, token)).body,
        (await t.gql(LIST, {}, token)).body,
      ]);
      if (seen.includes(SECRET_CONTACT)) leaks.push(caller);
    }
    expect(leaks.filter((c) => !['submitter', 'unionInScope', 'admin'].includes(c))).toEqual([]);
    expect(leaks).toContain('submitter');
  });

  it('answers node(id) the same way as demand(id) for every caller', async () => {
    for (const caller of CALLERS) {
      const token = tokenOf(caller);
      const direct = (
        await t.gql<{ demand: { id: string } | null }>(
          `query($id: ID!) { demand(id: $id) { id } }`,
          { id: demandId },
          token,
        )
      ).body;
      const viaNode = (
        await t.gql<{ node: { id: string } | null }>(
          `query($id: ID!) { node(id: $id) { id } }`,
          { id: demandId },
          token,
        )
      ).body;
      expect(viaNode.data?.node?.id ?? null, caller).toBe(direct.data?.demand?.id ?? null);
    }
  });

  it('answers a subscription over WebSocket with the same gate as HTTP', async () => {
    const res = await wsRequest(t.ws(), `subscription { demandPublished { cursor } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
