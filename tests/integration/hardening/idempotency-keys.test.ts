import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { OrganizationMember } from '../../../src/modules/organizations/membership.entity.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { WEBHOOK_ENV } from '../webhooks/helpers.js';
import { APPLY, awardedProject, idOf, projectInput, seedPublisher } from '../projects/project-helpers.js';

/**
 * Every creating mutation takes an `idempotencyKey` (docs/api.md, "Retrying safely"): a retry with
 * the key answers what the first request created, twins sent at once create one thing, and a key
 * reused with another input or another mutation is refused, creating nothing.
 */

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let unionStaff: Awaited<ReturnType<typeof seedPublisher>>;
let org: SeededOrganization;
let admin: SeededUser;
let worker: SeededUser;

beforeAll(async () => {
  t = await startTestApp(WEBHOOK_ENV);
  publisher = await seedPublisher(t);
  unionStaff = await seedPublisher(t, { regionCode: '370100' });
  org = await t.seed.organization({ name: '历下区职工服务中心' });
  admin = await t.seed.admin();
  worker = await t.seed.worker();
});
afterAll(() => t.stop());

/** One creating mutation: how to call it, and how many rows of what it creates exist now. */
interface Creation {
  mutation: string;
  /** A fresh situation for one request and its retries: the caller's token and the input. */
  prepare: () => Promise<{ token: string; input: Record<string, unknown> }>;
  /** The id of what the answer names as created. */
  idOf: (data: Record<string, unknown>) => string;
  /** The table it creates rows in. */
  table: string;
}

const dig = (data: Record<string, unknown>, ...path: string[]): string =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], data) as string;

const ORG = () => toGlobalId('Organization', org.organization.id);

const CREATIONS: Creation[] = [
  {
    mutation: `mutation($input: AddServiceInput!) { addService(input: $input) { service { id } } }`,
    prepare: async () => ({
      token: org.token,
      input: {
        organizationId: ORG(),
        name: '周末托管',
        categoryCodes: ['LIFE'],
        mode: 'ON_SITE',
        fee: 'FREE',
      },
    }),
    idOf: (d) => dig(d, 'addService', 'service', 'id'),
    table: 'service',
  },
  {
    mutation: `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
    prepare: async () => ({
      token: (await t.seed.worker()).token,
      input: {
        name: '槐荫区社区互助小组',
        creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', randomInt(1_000_000, 2_000_000_000), '370104'),
        kind: 'SOCIAL_SERVICE_AGENCY',
        foundingType: 'INDEPENDENT',
        homeRegionCode: '370104',
        categoryCodes: ['LIFE'],
      },
    }),
    idOf: (d) => dig(d, 'registerOrganization', 'organization', 'id'),
    table: 'organization',
  },
  {
    mutation: `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id } secret } }`,
    prepare: async () => ({
      token: org.token,
      input: { organizationId: ORG(), url: 'http://127.0.0.1:9/hook', topics: ['DEMAND_PUBLISHED'] },
    }),
    idOf: (d) => dig(d, 'registerWebhook', 'webhook', 'id'),
    table: 'webhook_endpoint',
  },
  {
    mutation: `mutation($input: PublishProjectInput!) { publishProject(input: $input) { project { id } } }`,
    prepare: async () => ({ token: publisher.token, input: projectInput({ publish: true }) }),
    idOf: (d) => dig(d, 'publishProject', 'project', 'id'),
    table: 'project',
  },
  {
    mutation: `mutation($input: PlanProjectInput!) { planProject(input: $input) { project { id } } }`,
    prepare: async () => ({ token: publisher.token, input: projectInput() }),
    idOf: (d) => dig(d, 'planProject', 'project', 'id'),
    table: 'project',
  },
  {
    mutation: `mutation($input: CreatePublisherInput!) { createPublisher(input: $input) { publisher { id } } }`,
    prepare: async () => ({
      token: admin.token,
      input: { kind: 'ENTERPRISE', name: '某企业工会', regionCode: '370100' },
    }),
    idOf: (d) => dig(d, 'createPublisher', 'publisher', 'id'),
    table: 'publisher',
  },
  {
    // A second application without the key would be CONFLICT: the retry is answered instead.
    mutation: APPLY,
    prepare: async () => {
      const project = await t.seed.project(publisher.publisher.id);
      return {
        token: org.token,
        input: {
          projectId: toGlobalId('Project', project.id),
          organizationId: ORG(),
          proposal: '服务方案',
          requestedFen: 500_000,
        },
      };
    },
    idOf: (d) => dig(d, 'applyToProject', 'application', 'id'),
    table: 'project_application',
  },
  {
    mutation: `mutation($input: AskProjectQuestionInput!) { askProjectQuestion(input: $input) { question { id } } }`,
    prepare: async () => {
      const project = await t.seed.project(publisher.publisher.id);
      return {
        token: org.token,
        input: {
          projectId: toGlobalId('Project', project.id),
          organizationId: ORG(),
          question: '服务对象如何确定？',
        },
      };
    },
    idOf: (d) => dig(d, 'askProjectQuestion', 'question', 'id'),
    table: 'project_question',
  },
  {
    mutation: `mutation($input: FileComplaintInput!) { fileComplaint(input: $input) { complaint { id } } }`,
    prepare: async () => {
      const { projectId } = await awardedProject(t, publisher.token, org);
      return {
        token: org.token,
        input: { projectId, organizationId: ORG(), grounds: '评审过程未公开评分依据' },
      };
    },
    idOf: (d) => dig(d, 'fileComplaint', 'complaint', 'id'),
    table: 'project_complaint',
  },
  {
    // Money: a retried payment must never be recorded twice.
    mutation: `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { contract { id payments { paidAt } } } }`,
    prepare: async () => {
      const { projectId, applicationId } = await awardedProject(t, publisher.token, org);
      const day = 86_400_000;
      const signed = await t.data<{ signContract: { contract: { id: string } } }>(
        `mutation($input: SignContractInput!) { signContract(input: $input) { contract { id } } }`,
        {
          input: {
            projectId,
            applicationId,
            valueFen: 800_000,
            periodStart: new Date(Date.now() - day).toISOString(),
            periodEnd: new Date(Date.now() + 90 * day).toISOString(),
            documents: [{ title: '服务合同', url: 'https://example.cn/contract.pdf' }],
            milestones: [
              {
                title: '结项',
                deliverables: '结项报告',
                dueAt: new Date(Date.now() + 85 * day).toISOString(),
                paymentFen: 200_000,
              },
            ],
          },
        },
        publisher.token,
      );
      return {
        token: publisher.token,
        input: {
          contractId: signed.signContract.contract.id,
          amountFen: 100_000,
          paidAt: new Date(Date.now() - 60_000).toISOString(),
        },
      };
    },
    idOf: (d) => {
      // Payments have no id of their own: a retry answers the contract with the one payment.
      const { contract } = d.recordPayment as { contract: { id: string; payments: unknown[] } };
      return `${contract.id} with ${contract.payments.length}`;
    },
    table: 'contract_payment',
  },
  {
    mutation: `mutation($input: CreateProjectFromDemandsInput!) { createProjectFromDemands(input: $input) { project { id } } }`,
    prepare: async () => {
      const demand = await t.seed.demand(worker.user.id, {
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
      });
      return {
        token: unionStaff.token,
        input: { publisherId: unionStaff.publisherId, demandIds: [toGlobalId('Demand', demand.id)] },
      };
    },
    idOf: (d) => dig(d, 'createProjectFromDemands', 'project', 'id'),
    table: 'project',
  },
];

async function rows(table: string): Promise<number> {
  const [row] = await t.orm.em
    .fork()
    .getConnection()
    .execute<{ n: number }[]>(`select count(*)::int as n from "${table}"`);
  return row!.n;
}

function codeOf(res: GqlResponse<unknown>): unknown {
  return res.body.errors?.[0]?.extensions?.code;
}

const operationOf = (mutation: string) => /\{\s*(\w+)\(/.exec(mutation)![1]!;

describe('idempotency keys on every creating mutation', () => {
  for (const creation of CREATIONS) {
    const name = operationOf(creation.mutation);

    it(`${name}: a retry with the key answers the first creation, and twins at once create one`, async () => {
      const { token, input } = await creation.prepare();
      const before = await rows(creation.table);
      const send = (key: string) =>
        t.gql<Record<string, unknown>>(
          creation.mutation,
          { input: { ...input, idempotencyKey: key } },
          token,
        );

      const first = await send(`${name}-retry`);
      expect(first.body.errors).toBeUndefined();
      // The retry's fields in another order: the same input.
      const reordered = Object.fromEntries(Object.entries(input).reverse());
      const again = await t.gql<Record<string, unknown>>(
        creation.mutation,
        { input: { idempotencyKey: `${name}-retry`, ...reordered } },
        token,
      );
      expect(again.body.errors).toBeUndefined();
      expect(creation.idOf(again.body.data!)).toBe(creation.idOf(first.body.data!));
      expect(await rows(creation.table)).toBe(before + 1);
    });

    it(`${name}: the key with another input is refused (CONFLICT on input.idempotencyKey), creating nothing`, async () => {
      const { token, input } = await creation.prepare();
      const key = `${name}-reused`;
      const first = await t.gql(creation.mutation, { input: { ...input, idempotencyKey: key } }, token);
      expect(first.body.errors).toBeUndefined();
      const before = await rows(creation.table);
      const changed = await t.gql(
        creation.mutation,
        { input: { ...input, idempotencyKey: key, ...changeOf(input) } },
        token,
      );
      expect(codeOf(changed)).toBe('CONFLICT');
      expect(changed.body.errors?.[0]?.extensions?.fields).toEqual([
        { path: 'input.idempotencyKey', message: 'was used with a different input' },
      ]);
      expect(await rows(creation.table)).toBe(before);
    });
  }

  it('two requests with one key at once create one application, one payment, one service', async () => {
    for (const creation of CREATIONS.filter((c) =>
      ['project_application', 'contract_payment', 'service'].includes(c.table),
    )) {
      const { token, input } = await creation.prepare();
      const before = await rows(creation.table);
      const key = `${creation.table}-twins`;
      const [a, b] = await Promise.all(
        [0, 1].map(() =>
          t.gql<Record<string, unknown>>(
            creation.mutation,
            { input: { ...input, idempotencyKey: key } },
            token,
          ),
        ),
      );
      expect([a!.body.errors, b!.body.errors]).toEqual([undefined, undefined]);
      expect(creation.idOf(b!.body.data!)).toBe(creation.idOf(a!.body.data!));
      expect(await rows(creation.table), creation.table).toBe(before + 1);
    }
  });

  it('a key used with one mutation is refused with another', async () => {
    const key = 'one-key-two-mutations';
    const service = CREATIONS[0]!;
    const { token, input } = await service.prepare();
    expect(
      (await t.gql(service.mutation, { input: { ...input, idempotencyKey: key } }, token)).body.errors,
    ).toBeUndefined();
    const webhook = CREATIONS[2]!;
    const before = await rows(webhook.table);
    const other = await t.gql(
      webhook.mutation,
      { input: { ...(await webhook.prepare()).input, idempotencyKey: key } },
      token,
    );
    expect(codeOf(other)).toBe('CONFLICT');
    expect(other.body.errors?.[0]?.extensions?.fields).toEqual([
      { path: 'input.idempotencyKey', message: 'was used with addService' },
    ]);
    expect(await rows(webhook.table)).toBe(before);
  });

  it("a webhook's secret is answered again only while the caller administers the organization", async () => {
    const owner = await t.seed.organization();
    const input = {
      organizationId: toGlobalId('Organization', owner.organization.id),
      url: 'http://127.0.0.1:9/hook',
      topics: ['DEMAND_PUBLISHED'],
      idempotencyKey: 'webhook-then-removed',
    };
    const mutation = CREATIONS[2]!.mutation;
    const first = await t.gql<{ registerWebhook: { secret: string } }>(mutation, { input }, owner.token);
    const again = await t.gql<{ registerWebhook: { secret: string } }>(mutation, { input }, owner.token);
    expect(again.body.data?.registerWebhook.secret).toBe(first.body.data?.registerWebhook.secret);

    await t.orm.em
      .fork()
      .nativeDelete(OrganizationMember, { organization: owner.organization.id, user: owner.admin.user.id });
    const afterRemoval = await t.gql(mutation, { input }, owner.token);
    expect(afterRemoval.body.data).toBeNull();
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(afterRemoval));
  });

  it('keys are per user: the same string from another user is a key of its own', async () => {
    const project = await t.seed.project(publisher.publisher.id);
    const other = await t.seed.organization();
    const apply = (who: SeededOrganization) =>
      t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId: toGlobalId('Project', project.id),
            organizationId: toGlobalId('Organization', who.organization.id),
            proposal: '服务方案',
            requestedFen: 500_000,
            idempotencyKey: 'shared-string',
          },
        },
        who.token,
      );
    const mine = await apply(org);
    const theirs = await apply(other);
    expect(idOf(theirs.applyToProject.application.id)).not.toBe(idOf(mine.applyToProject.application.id));
  });

  it('without a key nothing changes: a second application is still CONFLICT', async () => {
    const project = await t.seed.project(publisher.publisher.id);
    const input = {
      projectId: toGlobalId('Project', project.id),
      organizationId: ORG(),
      proposal: '服务方案',
      requestedFen: 500_000,
    };
    expect((await t.gql(APPLY, { input }, org.token)).body.errors).toBeUndefined();
    expect(codeOf(await t.gql(APPLY, { input }, org.token))).toBe('CONFLICT');
  });
});

/** A change to one text field of an input, to make it a different input. */
function changeOf(input: Record<string, unknown>): Record<string, unknown> {
  for (const field of ['name', 'proposal', 'question', 'grounds', 'title']) {
    if (typeof input[field] === 'string') return { [field]: `${input[field] as string}（改）` };
  }
  if (typeof input.amountFen === 'number') return { amountFen: input.amountFen - 1 };
  if (Array.isArray(input.topics)) return { topics: ['DEMAND_UPDATED'] };
  return { title: '另一个标题' };
}
