import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseIdOf } from '../../../src/core/relay/global-id.js';
import { ReportService } from '../../../src/modules/reports/report.service.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from '../projects/project-helpers.js';
import { awardedProject } from './report-helpers.js';

/**
 * Hand-checked ledger. Publisher P1 (Jinan union), five projects for Jinan:
 *   X1: UF1, IND1, IND2 apply → UF1 awarded 6,000,000 fen
 *   X2: UF1, IND1 apply       → UF1 awarded 2,000,000
 *   X3: UF2 alone             → UF2 awarded 1,000,000
 *   X4: IND3 alone            → IND3 awarded 1,000,000
 *   X5: IND2 applies, then withdraws (no live application)
 * Publisher P2 (government): Y1: IND1 alone → awarded 3,000,000.
 * Eligible in Jinan: UF1, UF2 (union-founded), UI1 (union-incubated), IND1–IND3; a pending independent
 * organization does not count, a verified one serving Qingdao counts only without a region.
 */
let t: TestApp;
let p1: string;
let uf1: SeededOrganization;

beforeAll(async () => {
  t = await startTestApp();
  const org = (foundingType: FoundingType, extra = {}) => t.seed.organization({ foundingType, ...extra });
  uf1 = await org(FoundingType.UNION_FOUNDED);
  const uf2 = await org(FoundingType.UNION_FOUNDED);
  await org(FoundingType.UNION_INCUBATED);
  const ind1 = await org(FoundingType.INDEPENDENT);
  const ind2 = await org(FoundingType.INDEPENDENT);
  const ind3 = await org(FoundingType.INDEPENDENT);
  await org(FoundingType.INDEPENDENT, { verified: false });
  await org(FoundingType.INDEPENDENT, { homeRegionCode: '370200' });

  const publisher1 = await seedPublisher(t);
  const publisher2 = await seedPublisher(t, { kind: PublisherKind.GOVERNMENT });
  p1 = publisher1.publisherId;
  const a = (o: SeededOrganization, awardFen?: number, withdraw = false) => ({
    organizationId: o.organization.id,
    token: o.token,
    awardFen,
    withdraw,
  });
  const jinan = { regionCodes: ['370100'] };
  await awardedProject(t, publisher1.token, jinan, [a(uf1, 6_000_000), a(ind1), a(ind2)]);
  await awardedProject(t, publisher1.token, jinan, [a(uf1, 2_000_000), a(ind1)]);
  await awardedProject(t, publisher1.token, jinan, [a(uf2, 1_000_000)]);
  await awardedProject(t, publisher1.token, jinan, [a(ind3, 1_000_000)]);
  await awardedProject(t, publisher1.token, jinan, [a(ind2, undefined, true)]);
  await awardedProject(t, publisher2.token, jinan, [a(ind1, 3_000_000)]);
});
afterAll(() => t.stop());

const FAIRNESS = `query($publisherId: ID, $regionCode: String, $from: DateTime, $to: DateTime) {
  awardFairness(publisherId: $publisherId, regionCode: $regionCode, from: $from, to: $to) {
    projects
    byFoundingType { foundingType eligibleOrganizations applicants applications awards awarded { amountFen }
      eligibleShare applicantShare applicationShare awardShare moneyShare winRate parityRatio }
    publishers { publisher { id kind } projects projectsWithApplications singleApplicantProjects singleApplicantRate
      awarded { amountFen } herfindahlIndex repeatWinners { organizationId organization { name } awards awarded { amountFen } } }
  } }`;

interface Fairness {
  awardFairness: {
    projects: number;
    byFoundingType: Record<string, unknown>[];
    publishers: {
      publisher: { id: string; kind: string };
      repeatWinners: Record<string, unknown>[];
      [key: string]: unknown;
    }[];
  };
}

describe('awardFairness', () => {
  it('gives the hand-checked ledger of one publisher in one region, to anyone', async () => {
    const { awardFairness: report } = await t.data<Fairness>(FAIRNESS, {
      publisherId: p1,
      regionCode: '370100',
    });
    expect(report.projects).toBe(5);
    // Totals: eligible 6, applicants 5, applications 7, awards 4, money 10,000,000.
    expect(report.byFoundingType).toEqual([
      {
        foundingType: 'UNION_FOUNDED',
        eligibleOrganizations: 2,
        applicants: 2,
        applications: 3,
        awards: 3,
        awarded: { amountFen: '9000000' },
        eligibleShare: 0.3333,
        applicantShare: 0.4,
        applicationShare: 0.4286,
        awardShare: 0.75,
        moneyShare: 0.9,
        winRate: 1,
        parityRatio: 2.1, // 0.9 ÷ 3/7
      },
      {
        foundingType: 'UNION_INCUBATED',
        eligibleOrganizations: 1,
        applicants: 0,
        applications: 0,
        awards: 0,
        awarded: { amountFen: '0' },
        eligibleShare: 0.1667,
        applicantShare: 0,
        applicationShare: 0,
        awardShare: 0,
        moneyShare: 0,
        winRate: null,
        parityRatio: null,
      },
      {
        foundingType: 'INDEPENDENT',
        eligibleOrganizations: 3,
        applicants: 3,
        applications: 4,
        awards: 1,
        awarded: { amountFen: '1000000' },
        eligibleShare: 0.5,
        applicantShare: 0.6,
        applicationShare: 0.5714,
        awardShare: 0.25,
        moneyShare: 0.1,
        winRate: 0.25,
        parityRatio: 0.175, // 0.1 ÷ 4/7
      },
    ]);
    expect(report.publishers).toEqual([
      {
        publisher: { id: p1, kind: 'UNION' },
        projects: 5,
        projectsWithApplications: 4,
        singleApplicantProjects: 2,
        singleApplicantRate: 0.5,
        awarded: { amountFen: '10000000' },
        herfindahlIndex: 0.66, // 0.8² + 0.1² + 0.1²
        repeatWinners: [
          {
            organizationId: uf1.organization.globalId(),
            organization: { name: uf1.organization.name },
            awards: 2,
            awarded: { amountFen: '8000000' },
          },
        ],
      },
    ]);
  });

  it('covers every publisher and the whole province without filters', async () => {
    const { awardFairness: report } = await t.data<Fairness>(FAIRNESS, {});
    expect(report.projects).toBe(6);
    const independent = report.byFoundingType.find((r) => r.foundingType === 'INDEPENDENT');
    // The Qingdao organization joins the eligible pool; IND1's award from P2 adds an application.
    expect(independent).toMatchObject({ eligibleOrganizations: 4, applications: 5, awards: 2 });
    const government = report.publishers.find((p) => p.publisher.kind === 'GOVERNMENT');
    expect(government).toMatchObject({
      projects: 1,
      singleApplicantRate: 1,
      herfindahlIndex: 1,
      repeatWinners: [],
    });
  });

  it('counts projects published in the period only', async () => {
    const { awardFairness: report } = await t.data<Fairness>(FAIRNESS, {
      from: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(report.projects).toBe(0);
    expect(report.publishers).toEqual([]);
    expect(report.byFoundingType.every((r) => r.applications === 0 && r.parityRatio === null)).toBe(true);
  });

  it('names publishers and repeat winners as they are now, though the ledger is cached', async () => {
    const NAMES = `query($publisherId: ID) { awardFairness(publisherId: $publisherId) {
      publishers { publisher { id name } repeatWinners { organizationId organization { id name } } } } }`;
    interface Names {
      awardFairness: {
        publishers: {
          publisher: { id: string; name: string };
          repeatWinners: { organizationId: string; organization: { id: string; name: string } | null }[];
        }[];
      };
    }
    const names = async () => (await t.data<Names>(NAMES, { publisherId: p1 })).awardFairness.publishers;
    const conn = t.orm.em.getConnection();
    const ledger = vi.spyOn(
      ReportService.prototype as unknown as { fairnessLedger: () => unknown },
      'fairnessLedger',
    );
    try {
      await names();
      ledger.mockClear();
      // Names are not report sources (the ledger stays cached), yet the answer follows them.
      await conn.execute(`update publisher set name = '济南市总工会（更名）' where id = ?`, [
        parseIdOf('Publisher', p1, 'p1'),
      ]);
      await conn.execute(`update organization set name = '更名后的机构' where id = ?`, [uf1.organization.id]);
      expect(await names()).toEqual([
        {
          publisher: { id: p1, name: '济南市总工会（更名）' },
          repeatWinners: [
            {
              organizationId: uf1.organization.globalId(),
              organization: { id: uf1.organization.globalId(), name: '更名后的机构' },
            },
          ],
        },
      ]);
      expect(ledger).not.toHaveBeenCalled();
      // A suspended winner is named by id only; reinstated, it is named again.
      await conn.execute(`update organization set verification_status = 'SUSPENDED' where id = ?`, [
        uf1.organization.id,
      ]);
      expect((await names())[0]!.repeatWinners).toEqual([
        { organizationId: uf1.organization.globalId(), organization: null },
      ]);
      await conn.execute(`update organization set verification_status = 'VERIFIED' where id = ?`, [
        uf1.organization.id,
      ]);
      expect((await names())[0]!.repeatWinners[0]!.organization).toEqual({
        id: uf1.organization.globalId(),
        name: '更名后的机构',
      });
    } finally {
      ledger.mockRestore();
      await conn.execute(`update organization set name = ? where id = ?`, [
        uf1.organization.name,
        uf1.organization.id,
      ]);
    }
  });

  it('leaves out a repeat winner once deleted (its applications go with it)', async () => {
    const { awardFairness: before } = await t.data<Fairness>(FAIRNESS, { publisherId: p1 });
    expect(before.publishers[0]!.repeatWinners).toHaveLength(1);
    // Checked last: the hand-checked ledgers above lose UF1.
    await t.orm.em.getConnection().execute(`delete from organization where id = ?`, [uf1.organization.id]);
    const { awardFairness: after } = await t.data<Fairness>(FAIRNESS, { publisherId: p1 });
    expect(after.publishers[0]!.repeatWinners).toEqual([]);
    expect(after.projects).toBe(5);
  });

  it('refuses an id that is not a publisher', async () => {
    const res = await t.gql(FAIRNESS, { publisherId: uf1.organization.globalId() });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
