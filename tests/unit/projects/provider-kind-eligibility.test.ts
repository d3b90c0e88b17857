import { describe, expect, it } from 'vitest';
import {
  applicantFactsOf,
  checkEligibility,
  eligibilityFailures,
  eligibilityRulesOf,
} from '../../../src/modules/projects/eligibility.js';
import {
  EvaluationGrade,
  FoundingType,
  ProviderKind,
  VerificationStatus,
} from '../../../src/modules/organizations/organization.enums.js';
import { IneligibilityReason, ProcurementMethod } from '../../../src/modules/projects/project.enums.js';

/** A project's allowed provider kinds: empty (the default) admits every kind; otherwise only those listed. */
const rules = (allowedProviderKinds: ProviderKind[]) =>
  eligibilityRulesOf(
    {
      procurementMethod: ProcurementMethod.OPEN,
      verifiedOnly: true,
      minGrade: EvaluationGrade.NONE,
      allowedFoundingTypes: [],
      mustServeRegions: false,
      allowedProviderKinds,
    },
    [],
  );
const applicant = (providerKind: ProviderKind, foundingType = FoundingType.INDEPENDENT) =>
  applicantFactsOf(
    {
      verificationStatus: VerificationStatus.VERIFIED,
      grade: EvaluationGrade.NONE,
      foundingType,
      regionCodes: ['370100'],
      providerKind,
    },
    false,
  );

describe('eligibility by provider kind', () => {
  it('admits every kind when the project lists none', () => {
    for (const kind of Object.values(ProviderKind))
      expect(checkEligibility(rules([]), applicant(kind))).toEqual({ eligible: true });
  });

  it('admits only the kinds listed, refusing the others with PROVIDER_KIND_NOT_ALLOWED', () => {
    const allowed = [ProviderKind.CARING_ENTERPRISE, ProviderKind.COMMUNITY_GROUP];
    for (const kind of Object.values(ProviderKind)) {
      const verdict = checkEligibility(rules(allowed), applicant(kind));
      if (allowed.includes(kind)) expect(verdict).toEqual({ eligible: true });
      else
        expect(verdict).toMatchObject({
          eligible: false,
          reason: IneligibilityReason.PROVIDER_KIND_NOT_ALLOWED,
        });
    }
  });

  it('is its own rule beside the founding type, listed after it', () => {
    const both = {
      ...rules([ProviderKind.PUBLIC_INSTITUTION]),
      allowedFoundingTypes: [FoundingType.UNION_FOUNDED],
    };
    expect(
      eligibilityFailures(both, applicant(ProviderKind.SOCIAL_ORGANIZATION)).map((f) => f.reason),
    ).toEqual([IneligibilityReason.FOUNDING_TYPE_NOT_ALLOWED, IneligibilityReason.PROVIDER_KIND_NOT_ALLOWED]);
  });

  it('reads facts without a kind as a social organization’s (rules built before the kinds)', () => {
    const { providerKind: _, ...withoutKind } = applicant(ProviderKind.SOCIAL_ORGANIZATION);
    expect(checkEligibility(rules([ProviderKind.SOCIAL_ORGANIZATION]), withoutKind)).toEqual({
      eligible: true,
    });
    expect(checkEligibility({ ...rules([]), allowedProviderKinds: undefined }, withoutKind)).toEqual({
      eligible: true,
    });
  });
});
