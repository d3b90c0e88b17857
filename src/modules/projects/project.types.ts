import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/relay/connection.js';
import { Money } from '../../core/money.js';
import { EvaluationGrade, FoundingType, ProviderKind } from '../organizations/organization.enums.js';
import { IneligibilityReason } from './project.enums.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { Publisher } from './publisher.entity.js';
import type { EligibilityFailure } from './eligibility.js';

@ObjectType({ description: 'Who may apply to a project.' })
export class ProjectEligibility {
  @Field(() => Boolean, { description: 'Only verified organizations.' })
  verifiedOnly!: boolean;

  @Field(() => EvaluationGrade, {
    description: 'The lowest evaluation grade accepted (NONE accepts every grade).',
  })
  minGrade!: EvaluationGrade;

  @Field(() => [FoundingType], { description: 'Founding types allowed; empty means all.' })
  allowedFoundingTypes!: FoundingType[];

  @Field(() => Boolean, { description: 'The organization must serve every region of the project.' })
  mustServeRegions!: boolean;

  @Field(() => [ProviderKind], { description: 'Kinds of provider allowed; empty means every kind.' })
  allowedProviderKinds!: ProviderKind[];
}

@ObjectType({
  description:
    'Whether an organization may apply to a project now, by the rules `applyToProject` checks (invitation, verification, grade, founding type, regions; the application period aside): a suspension or a new grade since it applied may change it.',
})
export class ApplicantEligibility {
  @Field(() => Boolean, { description: 'Whether the organization meets every rule of the project now.' })
  eligible!: boolean;

  @Field(() => IneligibilityReason, {
    nullable: true,
    description:
      'The first rule it fails, as `applyToProject` names it in FORBIDDEN `extensions.reason`; null when eligible.',
  })
  reason!: IneligibilityReason | null;

  @Field(() => [IneligibilityReason], {
    description:
      'Every rule it fails, in the order `applyToProject` checks them (the first is `reason`); empty when eligible.',
  })
  failedRules!: IneligibilityReason[];
}

/** The verdict as the API gives it, from every rule failed (eligibility.ts `eligibilityFailures`). */
export function applicantEligibilityOf(failures: readonly EligibilityFailure[]): ApplicantEligibility {
  return {
    eligible: failures.length === 0,
    reason: failures[0]?.reason ?? null,
    failedRules: failures.map((f) => f.reason),
  };
}

export const ProjectConnection = ConnectionType(Project, 'Project');
export const ProjectApplicationConnection = ConnectionType(ProjectApplication, 'ProjectApplication');
export const PublisherConnection = ConnectionType(Publisher, 'Publisher');

@ObjectType({
  description:
    'What a project announced as a plan (采购意向) said: its expected budget and tender period, kept after it is published as a tender.',
})
export class ProjectPlan {
  @Field(() => Money, { description: 'The expected budget (exact, in fen).' }) expectedBudget!: Money;
  @Field(() => Date, { description: 'When applications were expected to open.' }) expectedOpensAt!: Date;
  @Field(() => Date, { description: 'When applications were expected to close.' }) expectedClosesAt!: Date;
  @Field(() => Date, { description: 'When the plan was announced.' }) announcedAt!: Date;
}
