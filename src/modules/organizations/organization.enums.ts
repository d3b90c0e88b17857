import { registerEnumType } from 'type-graphql';

/** Legal form, as the second character of the credit code says (`credit-code.ts`). */
export enum OrganizationKind {
  SOCIAL_GROUP = 'SOCIAL_GROUP',
  SOCIAL_SERVICE_AGENCY = 'SOCIAL_SERVICE_AGENCY',
  FOUNDATION = 'FOUNDATION',
  OTHER = 'OTHER',
}
registerEnumType(OrganizationKind, {
  name: 'OrganizationKind',
  valuesConfig: {
    SOCIAL_GROUP: { description: '社会团体 — social group (credit code 51…)' },
    SOCIAL_SERVICE_AGENCY: { description: '社会服务机构/民办非企业单位 — social service agency (52…)' },
    FOUNDATION: { description: '基金会 — foundation (53…)' },
    OTHER: { description: '其他 — other (59…)' },
  },
});

/** How an organization came to be: the fairness report compares awards across these. */
export enum FoundingType {
  UNION_FOUNDED = 'UNION_FOUNDED',
  UNION_INCUBATED = 'UNION_INCUBATED',
  INDEPENDENT = 'INDEPENDENT',
}
registerEnumType(FoundingType, {
  name: 'FoundingType',
  valuesConfig: {
    UNION_FOUNDED: { description: '工会创办 — founded by a trade union' },
    UNION_INCUBATED: { description: '工会孵化 — incubated by a trade union' },
    INDEPENDENT: { description: '独立 — founded independently of unions' },
  },
});

/** 社会组织评估等级: the civil-affairs evaluation grade, 1A (lowest) to 5A. */
export enum EvaluationGrade {
  NONE = 'NONE',
  GRADE_1A = 'GRADE_1A',
  GRADE_2A = 'GRADE_2A',
  GRADE_3A = 'GRADE_3A',
  GRADE_4A = 'GRADE_4A',
  GRADE_5A = 'GRADE_5A',
}
registerEnumType(EvaluationGrade, {
  name: 'EvaluationGrade',
  description: '社会组织评估等级: none, or 1A to 5A.',
});

/** The grade as a number (0 for none), for "at least grade N" filters and eligibility. */
export function gradeRank(grade: EvaluationGrade): number {
  return grade === EvaluationGrade.NONE ? 0 : Number(grade.charAt(6));
}

export enum VerificationStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(VerificationStatus, {
  name: 'VerificationStatus',
  description: 'PENDING until union staff in scope verify it; SUSPENDED with a recorded reason.',
  valuesConfig: {
    PENDING: {
      description: 'Registered, not yet verified: visible to its members and union staff in scope only.',
    },
    VERIFIED: {
      description:
        'Verified by union staff in scope: in the public directory; its members may claim and serve demands.',
    },
    SUSPENDED: {
      description:
        'Suspended by union staff in scope or an admin: out of the public directory; its open claims went back to OPEN. ' +
        'Its members may still sign in, read its profile, members and audit trail, and the history of demands it served ' +
        '(without any contact), and manage its profile; it may not claim or change demands, read contacts, apply to ' +
        'projects, follow the live feeds, or register webhooks, and its webhooks receive nothing.',
    },
  },
});

// Defined beside the platform roles in core/, since every Viewer carries its memberships' roles.
export { MemberRole } from '../../core/roles.js';

export enum ServiceMode {
  ON_SITE = 'ON_SITE',
  ONLINE = 'ONLINE',
  BOTH = 'BOTH',
}
registerEnumType(ServiceMode, { name: 'ServiceMode', description: 'Where a service is delivered.' });

export enum ServiceFee {
  FREE = 'FREE',
  SUBSIDISED = 'SUBSIDISED',
  PAID = 'PAID',
}
registerEnumType(ServiceFee, { name: 'ServiceFee', description: 'What a worker pays for a service.' });

export enum ServiceStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  RETIRED = 'RETIRED',
}
registerEnumType(ServiceStatus, { name: 'ServiceStatus' });

export enum HubMembershipStatus {
  REQUESTED = 'REQUESTED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
}
registerEnumType(HubMembershipStatus, { name: 'HubMembershipStatus' });

/** What a document an organization uploads for its verification is. */
export enum DocumentKind {
  REGISTRATION_CERTIFICATE = 'REGISTRATION_CERTIFICATE',
  CHARTER = 'CHARTER',
  ANNUAL_INSPECTION = 'ANNUAL_INSPECTION',
  OTHER = 'OTHER',
}
registerEnumType(DocumentKind, {
  name: 'DocumentKind',
  description: 'What an organization document is.',
  valuesConfig: {
    REGISTRATION_CERTIFICATE: { description: 'Its registration certificate (登记证书).' },
    CHARTER: { description: 'Its charter (章程).' },
    ANNUAL_INSPECTION: { description: 'An annual inspection or report (年检报告).' },
    OTHER: { description: 'Anything else the reviewer should read.' },
  },
});

/** The file types a document may be, as their first bytes show. */
export enum DocumentType {
  PDF = 'application/pdf',
  JPEG = 'image/jpeg',
  PNG = 'image/png',
}
registerEnumType(DocumentType, { name: 'DocumentType', description: 'A document’s file type.' });

/** Why a credit code fails (credit-code.ts `CreditCodeProblem`). */
export enum CreditCodeProblemReason {
  LENGTH = 'LENGTH',
  ALPHABET = 'ALPHABET',
  CHECK_CHARACTER = 'CHECK_CHARACTER',
  NOT_CIVIL_AFFAIRS = 'NOT_CIVIL_AFFAIRS',
  KIND_MISMATCH = 'KIND_MISMATCH',
  AUTHORITY_MISMATCH = 'AUTHORITY_MISMATCH',
}
registerEnumType(CreditCodeProblemReason, {
  name: 'CreditCodeProblemReason',
  description: 'The first problem found in a unified social credit code.',
  valuesConfig: {
    NOT_CIVIL_AFFAIRS: { description: 'A social organization’s code does not begin with 5.' },
    AUTHORITY_MISMATCH: {
      description:
        'The first character is not the registration authority of the provider kind (9 caring enterprise, 1 public institution).',
    },
  },
});

/**
 * What kind of provider an organization is; each has its own verification rule (credit-code.ts
 * `checkProviderCreditCode`, docs/domain.md "Providers").
 */
export enum ProviderKind {
  SOCIAL_ORGANIZATION = 'SOCIAL_ORGANIZATION',
  CARING_ENTERPRISE = 'CARING_ENTERPRISE',
  PUBLIC_INSTITUTION = 'PUBLIC_INSTITUTION',
  COMMUNITY_GROUP = 'COMMUNITY_GROUP',
}
registerEnumType(ProviderKind, {
  name: 'ProviderKind',
  description: 'What kind of provider an organization is, each with its own verification rule.',
  valuesConfig: {
    SOCIAL_ORGANIZATION: {
      description:
        '社会组织 — social organization: credit code 5… (civil affairs); verified by union staff in scope.',
    },
    CARING_ENTERPRISE: {
      description:
        '爱心企业 — caring enterprise: credit code 9… (market regulation); verified by union staff in scope.',
    },
    PUBLIC_INSTITUTION: {
      description:
        '事业单位 — public institution: credit code 1… (staffing authorities, e.g. 12…); verified by union staff in scope.',
    },
    COMMUNITY_GROUP: {
      description:
        '备案的社区社会组织 — community group filed with a sponsoring verified hub: no credit code; verified or declined by the sponsor hub’s admins (or platform admins).',
    },
  },
});
