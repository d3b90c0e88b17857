/**
 * Whether an organization may apply to a project: a pure function over facts the service loaded, so
 * every rule is unit-tested alone and the refusal names the rule that failed.
 *
 * @module
 */
import {
  EvaluationGrade,
  FoundingType,
  gradeRank,
  ProviderKind,
  VerificationStatus,
} from '../organizations/organization.enums.js';
import { IneligibilityReason, ProcurementMethod } from './project.enums.js';

/** The project's rules. */
export interface EligibilityRules {
  procurementMethod: ProcurementMethod;
  verifiedOnly: boolean;
  minGrade: EvaluationGrade;
  /** Empty: every founding type may apply. */
  allowedFoundingTypes: readonly FoundingType[];
  mustServeRegions: boolean;
  /** Empty or absent: every kind of provider may apply. */
  allowedProviderKinds?: readonly ProviderKind[];
  /** For each of the project's regions, its codes from the province down to itself. */
  regionPaths: readonly (readonly string[])[];
}

/** What the rules need to know about the applicant. */
export interface ApplicantFacts {
  verificationStatus: VerificationStatus;
  grade: EvaluationGrade;
  foundingType: FoundingType;
  /** Region codes it serves; each covers its subtree. */
  regionCodes: readonly string[];
  /** Whether the project invited it (SELECTIVE and DIRECT projects). */
  invited: boolean;
  /** Absent: a social organization (what every organization was before the other kinds). */
  providerKind?: ProviderKind;
}

export type EligibilityResult =
  { eligible: true } | { eligible: false; reason: IneligibilityReason; message: string };

/** One rule the applicant fails: its reason code and a sentence for the person refused. */
export interface EligibilityFailure {
  reason: IneligibilityReason;
  message: string;
}

/**
 * Checks the rules in a fixed order (invitation, verification, grade, founding type, provider kind,
 * regions) and
 * returns the first that fails, so the same organization always hears the same reason.
 */
export function checkEligibility(rules: EligibilityRules, org: ApplicantFacts): EligibilityResult {
  const [first] = eligibilityFailures(rules, org);
  return first ? { eligible: false, ...first } : { eligible: true };
}

/**
 * Every rule the applicant fails, in `checkEligibility`'s order, each reason once: what a reviewer
 * reads beside an application, where the first failure alone would hide the others.
 */
export function eligibilityFailures(rules: EligibilityRules, org: ApplicantFacts): EligibilityFailure[] {
  const failures: EligibilityFailure[] = [];
  if (rules.procurementMethod !== ProcurementMethod.OPEN && !org.invited) {
    failures.push(
      failure(IneligibilityReason.NOT_INVITED, 'Only invited organizations may apply to this project.'),
    );
  }
  if (rules.verifiedOnly && org.verificationStatus !== VerificationStatus.VERIFIED) {
    failures.push(
      failure(IneligibilityReason.NOT_VERIFIED, 'Only verified organizations may apply to this project.'),
    );
  } else if (org.verificationStatus === VerificationStatus.SUSPENDED) {
    // A suspended organization never applies, whatever the project says.
    failures.push(failure(IneligibilityReason.NOT_VERIFIED, 'A suspended organization may not apply.'));
  }
  if (gradeRank(org.grade) < gradeRank(rules.minGrade)) {
    failures.push(
      failure(
        IneligibilityReason.GRADE_TOO_LOW,
        `This project needs an evaluation grade of at least ${gradeRank(rules.minGrade)}A.`,
      ),
    );
  }
  if (rules.allowedFoundingTypes.length > 0 && !rules.allowedFoundingTypes.includes(org.foundingType)) {
    failures.push(
      failure(
        IneligibilityReason.FOUNDING_TYPE_NOT_ALLOWED,
        `This project is open to founding types ${rules.allowedFoundingTypes.join(', ')} only.`,
      ),
    );
  }
  const allowedKinds = rules.allowedProviderKinds ?? [];
  if (
    allowedKinds.length > 0 &&
    !allowedKinds.includes(org.providerKind ?? ProviderKind.SOCIAL_ORGANIZATION)
  ) {
    failures.push(
      failure(
        IneligibilityReason.PROVIDER_KIND_NOT_ALLOWED,
        `This project is open to kinds of provider ${allowedKinds.join(', ')} only.`,
      ),
    );
  }
  if (rules.mustServeRegions && !servesAll(org.regionCodes, rules.regionPaths)) {
    failures.push(
      failure(
        IneligibilityReason.DOES_NOT_SERVE_REGION,
        'The organization must serve every region of this project.',
      ),
    );
  }
  return failures;
}

/** A project's rules, with the paths of its regions (province down to each region). */
export function eligibilityRulesOf(
  project: Pick<
    EligibilityRules,
    | 'procurementMethod'
    | 'verifiedOnly'
    | 'minGrade'
    | 'allowedFoundingTypes'
    | 'mustServeRegions'
    | 'allowedProviderKinds'
  >,
  regionPaths: readonly (readonly string[])[],
): EligibilityRules {
  return {
    procurementMethod: project.procurementMethod,
    verifiedOnly: project.verifiedOnly,
    minGrade: project.minGrade,
    allowedFoundingTypes: project.allowedFoundingTypes,
    mustServeRegions: project.mustServeRegions,
    allowedProviderKinds: project.allowedProviderKinds,
    regionPaths,
  };
}

/** An organization's facts as the rules read them; `invited`: the project invited it. */
export function applicantFactsOf(
  organization: Omit<ApplicantFacts, 'invited' | 'providerKind'> & { providerKind: ProviderKind },
  invited: boolean,
): ApplicantFacts {
  return {
    verificationStatus: organization.verificationStatus,
    grade: organization.grade,
    foundingType: organization.foundingType,
    regionCodes: organization.regionCodes,
    invited,
    providerKind: organization.providerKind,
  };
}

/** An organization serves a region when one of its codes is that region or one of its ancestors. */
export function servesAll(
  orgRegionCodes: readonly string[],
  regionPaths: readonly (readonly string[])[],
): boolean {
  return regionPaths.every((path) => path.some((code) => orgRegionCodes.includes(code)));
}

function failure(reason: IneligibilityReason, message: string): EligibilityFailure {
  return { reason, message };
}
