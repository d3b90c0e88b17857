import { registerEnumType } from 'type-graphql';

/** Who buys services: unions, government and enterprises (docs/domain.md, "Publishers"). */
export enum PublisherKind {
  UNION = 'UNION',
  GOVERNMENT = 'GOVERNMENT',
  ENTERPRISE = 'ENTERPRISE',
}
registerEnumType(PublisherKind, {
  name: 'PublisherKind',
  description: 'What kind of body publishes purchase-of-service projects.',
  valuesConfig: {
    UNION: { description: '工会 — a trade-union unit, e.g. 济南市总工会; its staff hold UNION_STAFF.' },
    GOVERNMENT: { description: '政府部门 — a government department; its staff hold GOV_STAFF.' },
    ENTERPRISE: { description: '企业 — an enterprise; its staff hold ENTERPRISE_STAFF.' },
  },
});

/**
 * Where a project is in its OCDS-shaped life: planning (DRAFT, then PLANNED when announced) → tender
 * (PUBLISHED, EVALUATING) →
 * award (AWARDED) → contract/implementation (IN_PROGRESS) → COMPLETED; or it ends early.
 */
export enum ProjectStatus {
  DRAFT = 'DRAFT',
  PLANNED = 'PLANNED',
  PUBLISHED = 'PUBLISHED',
  EVALUATING = 'EVALUATING',
  AWARDED = 'AWARDED',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  UNSUCCESSFUL = 'UNSUCCESSFUL',
}
registerEnumType(ProjectStatus, {
  name: 'ProjectStatus',
  description: 'The lifecycle of a purchase-of-service project (after the Open Contracting Data Standard).',
  valuesConfig: {
    DRAFT: { description: 'Planning: visible to the publisher only.' },
    PLANNED: {
      description:
        'Announced as a plan (采购意向): public, with its expected budget and timing; no applications until it is published as a tender.',
    },
    PUBLISHED: { description: 'Tender open or about to open: organizations may apply inside the period.' },
    EVALUATING: { description: 'The application period has closed; the publisher is evaluating.' },
    AWARDED: { description: 'Winners and amounts decided (public).' },
    IN_PROGRESS: { description: 'The contracted service is being delivered.' },
    COMPLETED: { description: 'Delivered, with an outcome and the publisher’s evaluation.' },
    CANCELLED: { description: 'Withdrawn by the publisher, with a reason.' },
    UNSUCCESSFUL: { description: 'Ended without an award (no suitable application), with a reason.' },
  },
});

/** How suppliers are chosen (OCDS `procurementMethod`). */
export enum ProcurementMethod {
  OPEN = 'OPEN',
  SELECTIVE = 'SELECTIVE',
  DIRECT = 'DIRECT',
}
registerEnumType(ProcurementMethod, {
  name: 'ProcurementMethod',
  valuesConfig: {
    OPEN: { description: '公开 — any eligible organization may apply.' },
    SELECTIVE: { description: '邀请 — only invited organizations may apply.' },
    DIRECT: { description: '单一来源 — exactly one invited organization may apply.' },
  },
});

export enum ApplicationStatus {
  SUBMITTED = 'SUBMITTED',
  SHORTLISTED = 'SHORTLISTED',
  AWARDED = 'AWARDED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(ApplicationStatus, {
  name: 'ApplicationStatus',
  description: 'An application (申报) to a project.',
});

/** Which eligibility rule refused an application; sent as `extensions.reason` with FORBIDDEN. */
export enum IneligibilityReason {
  NOT_VERIFIED = 'NOT_VERIFIED',
  GRADE_TOO_LOW = 'GRADE_TOO_LOW',
  FOUNDING_TYPE_NOT_ALLOWED = 'FOUNDING_TYPE_NOT_ALLOWED',
  DOES_NOT_SERVE_REGION = 'DOES_NOT_SERVE_REGION',
  NOT_INVITED = 'NOT_INVITED',
  PROVIDER_KIND_NOT_ALLOWED = 'PROVIDER_KIND_NOT_ALLOWED',
}
registerEnumType(IneligibilityReason, {
  name: 'IneligibilityReason',
  description: 'The eligibility rule an organization failed.',
  valuesConfig: {
    PROVIDER_KIND_NOT_ALLOWED: {
      description: 'Its kind of provider is not among the project’s `allowedProviderKinds`.',
    },
  },
});

/** Sort orders of the `projects` list; each ends with the id so keyset cursors are total. */
export enum ProjectOrder {
  NEWEST = 'NEWEST',
  CLOSING_SOON = 'CLOSING_SOON',
  BUDGET_DESC = 'BUDGET_DESC',
}
registerEnumType(ProjectOrder, {
  name: 'ProjectOrder',
  valuesConfig: {
    NEWEST: { description: 'Most recently created first (default).' },
    CLOSING_SOON: { description: 'Earliest application deadline first.' },
    BUDGET_DESC: { description: 'Largest budget first.' },
  },
});

/** A ruling on a complaint (质疑/投诉) against a project's award. */
export enum ComplaintOutcome {
  /** The complaint is founded: the award is suspended and the project is evaluated again. */
  UPHELD = 'UPHELD',
  /** The complaint is unfounded: the award stands. */
  DISMISSED = 'DISMISSED',
}
registerEnumType(ComplaintOutcome, {
  name: 'ComplaintOutcome',
  description: 'A ruling on a complaint (质疑/投诉) against an award.',
  valuesConfig: {
    UPHELD: { description: 'Founded: the award is suspended and the project is evaluated again.' },
    DISMISSED: { description: 'Unfounded: the award stands.' },
  },
});
