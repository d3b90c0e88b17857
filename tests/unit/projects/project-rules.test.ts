import { describe, expect, it } from 'vitest';
import {
  EvaluationGrade,
  FoundingType,
  VerificationStatus,
} from '../../../src/modules/organizations/organization.enums.js';
import {
  checkEligibility,
  eligibilityFailures,
  servesAll,
  type ApplicantFacts,
  type EligibilityRules,
} from '../../../src/modules/projects/eligibility.js';
import {
  IneligibilityReason,
  ProcurementMethod,
  ProjectStatus,
} from '../../../src/modules/projects/project.enums.js';
import {
  canTransition,
  isFinal,
  PROJECT_TRANSITIONS,
  statusesThatMayBecome,
} from '../../../src/modules/projects/project-lifecycle.js';

describe('project lifecycle table', () => {
  it('follows draft → published → evaluating → awarded → in progress → completed', () => {
    const path = [
      ProjectStatus.DRAFT,
      ProjectStatus.PUBLISHED,
      ProjectStatus.EVALUATING,
      ProjectStatus.AWARDED,
      ProjectStatus.IN_PROGRESS,
      ProjectStatus.COMPLETED,
    ];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('never skips a stage or leaves a final status', () => {
    expect(canTransition(ProjectStatus.PUBLISHED, ProjectStatus.AWARDED)).toBe(false);
    expect(canTransition(ProjectStatus.DRAFT, ProjectStatus.EVALUATING)).toBe(false);
    expect(canTransition(ProjectStatus.AWARDED, ProjectStatus.COMPLETED)).toBe(false);
    for (const final of [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED, ProjectStatus.UNSUCCESSFUL]) {
      expect(isFinal(final)).toBe(true);
      for (const to of Object.values(ProjectStatus)) expect(canTransition(final, to)).toBe(false);
    }
  });

  it('announces a plan before the tender, and goes back to PUBLISHED only from evaluation (a reopening amendment)', () => {
    expect(canTransition(ProjectStatus.DRAFT, ProjectStatus.PLANNED)).toBe(true);
    expect(canTransition(ProjectStatus.PLANNED, ProjectStatus.PUBLISHED)).toBe(true);
    expect(canTransition(ProjectStatus.PLANNED, ProjectStatus.DRAFT)).toBe(false);
    expect(canTransition(ProjectStatus.PLANNED, ProjectStatus.EVALUATING)).toBe(false);
    expect(statusesThatMayBecome(ProjectStatus.PLANNED)).toEqual([ProjectStatus.DRAFT]);
    expect(statusesThatMayBecome(ProjectStatus.PUBLISHED).sort()).toEqual(
      [ProjectStatus.DRAFT, ProjectStatus.PLANNED, ProjectStatus.EVALUATING].sort(),
    );
  });

  it('ends unsuccessful only from evaluation, and cancels from every live status', () => {
    expect(statusesThatMayBecome(ProjectStatus.UNSUCCESSFUL)).toEqual([ProjectStatus.EVALUATING]);
    expect(statusesThatMayBecome(ProjectStatus.CANCELLED).sort()).toEqual(
      [
        ProjectStatus.DRAFT,
        ProjectStatus.PLANNED,
        ProjectStatus.PUBLISHED,
        ProjectStatus.EVALUATING,
        ProjectStatus.AWARDED,
        ProjectStatus.IN_PROGRESS,
      ].sort(),
    );
    expect(Object.keys(PROJECT_TRANSITIONS).sort()).toEqual(Object.values(ProjectStatus).sort());
  });
});

describe('eligibility', () => {
  const rules: EligibilityRules = {
    procurementMethod: ProcurementMethod.OPEN,
    verifiedOnly: true,
    minGrade: EvaluationGrade.GRADE_3A,
    allowedFoundingTypes: [FoundingType.INDEPENDENT],
    mustServeRegions: true,
    regionPaths: [['370000', '370100', '370102']],
  };
  const org: ApplicantFacts = {
    verificationStatus: VerificationStatus.VERIFIED,
    grade: EvaluationGrade.GRADE_4A,
    foundingType: FoundingType.INDEPENDENT,
    regionCodes: ['370100'],
    invited: false,
  };
  const reasonOf = (r: Partial<EligibilityRules>, o: Partial<ApplicantFacts>) => {
    const result = checkEligibility({ ...rules, ...r }, { ...org, ...o });
    return result.eligible ? null : result.reason;
  };

  it('accepts an organization meeting every rule', () => {
    expect(reasonOf({}, {})).toBeNull();
  });

  it('returns the rule that failed', () => {
    expect(reasonOf({ procurementMethod: ProcurementMethod.SELECTIVE }, {})).toBe(
      IneligibilityReason.NOT_INVITED,
    );
    expect(reasonOf({ procurementMethod: ProcurementMethod.DIRECT }, { invited: true })).toBeNull();
    expect(reasonOf({}, { verificationStatus: VerificationStatus.PENDING })).toBe(
      IneligibilityReason.NOT_VERIFIED,
    );
    expect(reasonOf({ verifiedOnly: false }, { verificationStatus: VerificationStatus.PENDING })).toBeNull();
    expect(reasonOf({ verifiedOnly: false }, { verificationStatus: VerificationStatus.SUSPENDED })).toBe(
      IneligibilityReason.NOT_VERIFIED,
    );
    expect(reasonOf({}, { grade: EvaluationGrade.GRADE_2A })).toBe(IneligibilityReason.GRADE_TOO_LOW);
    expect(reasonOf({}, { grade: EvaluationGrade.NONE })).toBe(IneligibilityReason.GRADE_TOO_LOW);
    expect(reasonOf({}, { foundingType: FoundingType.UNION_FOUNDED })).toBe(
      IneligibilityReason.FOUNDING_TYPE_NOT_ALLOWED,
    );
    expect(reasonOf({ allowedFoundingTypes: [] }, { foundingType: FoundingType.UNION_FOUNDED })).toBeNull();
    expect(reasonOf({}, { regionCodes: ['370200'] })).toBe(IneligibilityReason.DOES_NOT_SERVE_REGION);
    expect(reasonOf({ mustServeRegions: false }, { regionCodes: ['370200'] })).toBeNull();
  });

  it('lists every rule that fails, in the order checkEligibility names the first, each reason once', () => {
    const failed = (r: Partial<EligibilityRules>, o: Partial<ApplicantFacts>) =>
      eligibilityFailures({ ...rules, ...r }, { ...org, ...o }).map((f) => f.reason);
    expect(failed({}, {})).toEqual([]);
    const everything = {
      verificationStatus: VerificationStatus.SUSPENDED,
      grade: EvaluationGrade.NONE,
      foundingType: FoundingType.UNION_FOUNDED,
      regionCodes: ['370200'],
    };
    expect(failed({ procurementMethod: ProcurementMethod.SELECTIVE }, everything)).toEqual([
      IneligibilityReason.NOT_INVITED,
      IneligibilityReason.NOT_VERIFIED,
      IneligibilityReason.GRADE_TOO_LOW,
      IneligibilityReason.FOUNDING_TYPE_NOT_ALLOWED,
      IneligibilityReason.DOES_NOT_SERVE_REGION,
    ]);
    expect(reasonOf({}, everything)).toBe(failed({}, everything)[0]);
    expect(
      failed({ verifiedOnly: false }, { grade: EvaluationGrade.GRADE_2A, regionCodes: ['370200'] }),
    ).toEqual([IneligibilityReason.GRADE_TOO_LOW, IneligibilityReason.DOES_NOT_SERVE_REGION]);
  });

  it('treats a region as served when the organization serves it or an ancestor, for every project region', () => {
    const paths = [
      ['370000', '370100', '370102'],
      ['370000', '370200', '370202'],
    ];
    expect(servesAll(['370000'], paths)).toBe(true);
    expect(servesAll(['370100', '370202'], paths)).toBe(true);
    expect(servesAll(['370100'], paths)).toBe(false);
    expect(servesAll(['370102'], [['370000', '370100']])).toBe(false);
  });
});
