import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';

const MAX_BYTES = 4096;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DOCUMENT_MAX_BYTES: String(MAX_BYTES) });
});
afterAll(() => t.stop());

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x20), Buffer.from('%%EOF\n')]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

interface Refusal {
  errors: { message: string; extensions: { code: string; fields?: { path: string }[] } }[];
}
interface Uploaded {
  document: {
    id: string;
    kind: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    downloadPath: string;
  };
}

async function upload(
  token: string | null,
  organizationId: string,
  body: Buffer,
  { kind = 'CHARTER', fileName = '章程.pdf' } = {},
): Promise<{ status: number; json: Uploaded & Refusal }> {
  const url = new URL('/organization-documents', t.httpUrl);
  url.searchParams.set('organizationId', organizationId);
  url.searchParams.set('kind', kind);
  url.searchParams.set('fileName', fileName);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Uploaded & Refusal };
}

async function download(token: string | null, path: string) {
  const res = await fetch(new URL(path, t.httpUrl), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

const DOCUMENTS = `query ($id: ID!) { organization(id: $id) { documents { id kind fileName contentType sizeBytes downloadPath } } }`;

async function documentsSeenBy(token: string, organizationId: string) {
  return (
    await t.data<{ organization: { documents: { id: string; fileName: string }[] | null } | null }>(
      DOCUMENTS,
      { id: organizationId },
      token,
    )
  ).organization?.documents;
}

async function rows(table: string, where: string, params: unknown[]): Promise<number> {
  const [row] = await t.orm.em
    .fork()
    .execute<{ n: string }[]>(`select count(*) as n from "${table}" where ${where}`, params);
  return Number(row!.n);
}

const idOf = (org: SeededOrganization) => toGlobalId('Organization', org.organization.id);

describe('organization documents', () => {
  let org: SeededOrganization;
  let orgId: string;
  let admin: SeededUser;
  let staff: SeededUser;
  beforeAll(async () => {
    org = await t.seed.organization({ verified: false, homeRegionCode: '370102' });
    orgId = idOf(org);
    admin = await t.seed.admin();
    staff = await t.seed.unionStaff('370100');
  });

  it('stores an uploaded PDF; its admins, admins and union staff in scope list and download it, audited', async () => {
    const up = await upload(org.token, orgId, PDF);
    expect(up.status).toBe(201);
    expect(up.json.document).toMatchObject({
      kind: 'CHARTER',
      fileName: '章程.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
    });
    const { id, downloadPath } = up.json.document;
    expect(downloadPath).toBe(`/organization-documents/${id}`);

    for (const reader of [org.admin, admin, staff]) {
      expect(await documentsSeenBy(reader.token, orgId)).toEqual([
        expect.objectContaining({ id, fileName: '章程.pdf' }),
      ]);
      const { res, body } = await download(reader.token, downloadPath);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent('章程.pdf')}`,
      );
      expect(body.equals(PDF)).toBe(true);
    }
    const audited = await t.orm.em
      .fork()
      .execute<{ action: string }[]>(
        `select "action" from "audit_entry" where "subject_id" = ? order by "id"`,
        [id],
      );
    expect(audited.map((a) => a.action)).toEqual([
      'uploadOrganizationDocument',
      'downloadOrganizationDocument',
      'downloadOrganizationDocument',
      'downloadOrganizationDocument',
    ]);
  });

  it('refuses readers who may not verify it: plain members, staff out of scope, strangers, anonymous', async () => {
    const up = await upload(org.token, orgId, PNG, {
      kind: 'REGISTRATION_CERTIFICATE',
      fileName: 'cert.png',
    });
    expect(up.json.document.contentType).toBe('image/png');
    const member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    const qingdao = await t.seed.unionStaff('370200');
    const stranger = await t.seed.worker();
    for (const reader of [member, qingdao, stranger]) {
      const { res, body } = await download(reader.token, up.json.document.downloadPath);
      expect(res.status).toBe(404);
      expect(JSON.parse(body.toString()).errors[0].extensions.code).toBe('NOT_FOUND');
    }
    expect(await documentsSeenBy(member.token, orgId)).toBeNull();
    const anonymous = await download(null, up.json.document.downloadPath);
    expect(anonymous.res.status).toBe(401);
    expect(JSON.parse(anonymous.body.toString()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('stops an admin removed from the organization, and an administrator suspended, at the next request', async () => {
    const second = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_ADMIN);
    const up = await upload(second.token, orgId, PDF, { fileName: 'annual.pdf', kind: 'ANNUAL_INSPECTION' });
    expect(up.status).toBe(201);
    expect((await download(second.token, up.json.document.downloadPath)).res.status).toBe(200);
    await t.orm.em
      .fork()
      .execute(`delete from "organization_member" where "organization_id" = ? and "user_id" = ?`, [
        org.organization.id,
        second.user.id,
      ]);
    const after = await download(second.token, up.json.document.downloadPath);
    expect(after.res.status).toBe(404);
    expect(JSON.parse(after.body.toString()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await upload(second.token, orgId, PDF)).status).toBe(404); // it may no longer see the pending organization

    const suspended = await t.seed.admin();
    expect((await download(suspended.token, up.json.document.downloadPath)).res.status).toBe(200);
    await t.data(
      `mutation ($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id } } }`,
      { input: { userId: toGlobalId('User', suspended.user.id), status: 'SUSPENDED', reason: '账号泄露' } },
      admin.token,
    );
    expect((await download(suspended.token, up.json.document.downloadPath)).res.status).toBe(401);
  });

  it('refuses a wrong type (whatever its name says), an empty or too large file, a bad kind or name, with the field; nothing is written', async () => {
    const before = await rows('organization_document', '"organization_id" = ?', [org.organization.id]);
    const auditBefore = await rows('audit_entry', `"action" = 'uploadOrganizationDocument'`, []);
    const cases: [Buffer, Record<string, string>, number, string][] = [
      [Buffer.from('<html><script>alert(1)</script></html>'), { fileName: 'fake.pdf' }, 400, 'file'],
      [Buffer.from('GIF89a......'), { fileName: 'image.png' }, 400, 'file'],
      [Buffer.alloc(0), {}, 400, 'file'],
      [Buffer.concat([PDF, Buffer.alloc(MAX_BYTES, 0x20)]), {}, 413, 'file'],
      [PDF, { kind: 'PASSPORT' }, 400, 'kind'],
      [PDF, { fileName: '   ' }, 400, 'fileName'],
      [PDF, { fileName: 'a\u0007b.pdf' }, 400, 'fileName'],
    ];
    for (const [body, options, status, field] of cases) {
      const res = await upload(org.token, orgId, body, options);
      expect(res.status, field).toBe(status);
      expect(res.json.errors[0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [expect.objectContaining({ path: field })],
      });
    }
    const notMine = await t.seed.organization({ verified: true });
    const forbidden = await upload(org.token, idOf(notMine), PDF);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.errors[0]!.extensions.code).toBe('FORBIDDEN');
    const badId = await upload(org.token, 'nope', PDF);
    expect(badId.json.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [expect.objectContaining({ path: 'organizationId' })],
    });
    expect(await rows('organization_document', '"organization_id" = ?', [org.organization.id])).toBe(before);
    expect(await rows('audit_entry', `"action" = 'uploadOrganizationDocument'`, [])).toBe(auditBefore);
  });

  it('lists the documents of a whole queue of organizations in a fixed number of statements', async () => {
    // As the verification queue reads them: the newest pending organizations, a page at a time.
    const QUEUE = `query ($first: Int!) { organizations(filter: { verificationStatus: PENDING }, orderBy: NEWEST, first: $first) {
      edges { node { id documents { fileName } } } } }`;
    const names: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const pending = await t.seed.organization({ verified: false });
      await upload(pending.token, idOf(pending), PDF, { fileName: `charter-${i}.pdf` });
      names.unshift(`charter-${i}.pdf`);
    }
    for (const reader of [admin, staff]) {
      await t.data(QUEUE, { first: 1 }, reader.token); // compiled once
      const one = await t.sqlCount(() => t.data(QUEUE, { first: 1 }, reader.token));
      const four = await t.sqlCount(() => t.data(QUEUE, { first: 4 }, reader.token));
      expect(four).toBe(one);
      const listed = await t.data<{
        organizations: { edges: { node: { documents: { fileName: string }[] } }[] };
      }>(QUEUE, { first: 4 }, reader.token);
      expect(listed.organizations.edges.map((e) => e.node.documents.map((d) => d.fileName))).toEqual(
        names.map((name) => [name]),
      );
    }
  });

  it('lets its admins remove a document (audited); others are refused', async () => {
    const up = await upload(org.token, orgId, PDF, { fileName: 'old-charter.pdf' });
    const REMOVE = `mutation ($input: RemoveOrganizationDocumentInput!) { removeOrganizationDocument(input: $input) { documentId } }`;
    const member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    const byStaff = await t.gql(REMOVE, { input: { documentId: up.json.document.id } }, staff.token);
    expect(byStaff.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byMember = await t.gql(REMOVE, { input: { documentId: up.json.document.id } }, member.token);
    expect(byMember.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await t.data(REMOVE, { input: { documentId: up.json.document.id } }, org.token);
    expect((await download(org.token, up.json.document.downloadPath)).res.status).toBe(404);
    expect(
      await rows('audit_entry', `"action" = 'removeOrganizationDocument' and "subject_id" = ?`, [
        up.json.document.id,
      ]),
    ).toBe(1);
  });
});

describe('Organization.creditCodeCheck', () => {
  const CHECK = `creditCodeCheck { checksumValid authorityCode civilAffairs kind registrationRegionCode problem checkedAt }`;

  it('stores what the code says at registration and again at a profile change', async () => {
    const founder = await t.seed.worker();
    const creditCode = makeCreditCode('FOUNDATION', randomInt(1_000_000, 2_000_000_000), '370200');
    const registered = await t.data<{
      registerOrganization: { organization: { id: string; creditCodeCheck: Record<string, unknown> } };
    }>(
      `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id ${CHECK} } } }`,
      {
        input: {
          name: '青岛职工关爱基金会',
          creditCode,
          kind: 'FOUNDATION',
          foundingType: 'INDEPENDENT',
          homeRegionCode: '370102',
          categoryCodes: ['LIFE'],
        },
      },
      founder.token,
    );
    const { id, creditCodeCheck } = registered.registerOrganization.organization;
    expect(creditCodeCheck).toMatchObject({
      checksumValid: true,
      authorityCode: '5',
      civilAffairs: true,
      kind: 'FOUNDATION',
      registrationRegionCode: '370200',
      problem: null,
    });

    // Stored, not computed on read: a code changed behind the hub's back keeps the stored findings
    // until the next profile change checks it again.
    const wrong = `${creditCode.slice(0, 17)}${creditCode.endsWith('0') ? '1' : '0'}`;
    await t.orm.em
      .fork()
      .execute(`update "organization" set "credit_code" = ? where "credit_code" = ?`, [wrong, creditCode]);
    const admin = await t.seed.admin();
    const read = async () =>
      (
        await t.data<{ organization: { creditCodeCheck: Record<string, unknown> } }>(
          `query ($id: ID!) { organization(id: $id) { ${CHECK} } }`,
          { id },
          admin.token,
        )
      ).organization.creditCodeCheck;
    expect(await read()).toMatchObject({ checksumValid: true, problem: null });
    await t.data(
      `mutation ($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: id, description: '资助困难职工' } },
      founder.token,
    );
    expect(await read()).toMatchObject({
      checksumValid: false,
      problem: 'CHECK_CHARACTER',
      kind: 'FOUNDATION',
    });
  });
});

describe('uploads and the mutation budget', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ RATE_MUTATIONS_POINTS: '1', RATE_MUTATIONS_WINDOW_SECONDS: '3600' });
  });
  afterAll(() => limited.stop());

  it('spends one mutation per upload: past the budget, 429 RATE_LIMITED with Retry-After', async () => {
    const org = await limited.seed.organization();
    const send = () =>
      fetch(
        new URL(
          `/organization-documents?${new URLSearchParams({ organizationId: idOf(org), kind: 'CHARTER', fileName: 'a.pdf' }).toString()}`,
          limited.httpUrl,
        ),
        { method: 'POST', headers: { authorization: `Bearer ${org.token}` }, body: PDF },
      );
    expect((await send()).status).toBe(201);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as Refusal).errors[0]!.extensions.code).toBe('RATE_LIMITED');
  });
});
