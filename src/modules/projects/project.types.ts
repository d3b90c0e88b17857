import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/relay/connection.js';
import { EvaluationGrade, FoundingType } from '../organizations/organization.enums.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { Publisher } from './publisher.entity.js';
import { IneligibilityReason } from './project.enums.js';

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
}

@ObjectType({
  description:
    'Whether an organization may apply to a project, by the rules `applyToProject` checks (invitation, verification, grade, founding type, regions); the application period aside.',
})
export class ApplicantEligibility {
  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => IneligibilityReason, {
    nullable: true,
    description:
      'The first rule it fails, as `applyToProject` names it in FORBIDDEN `extensions.reason`; null when eligible.',
  })
  reason!: IneligibilityReason | null;
}

export const ProjectConnection = ConnectionType(Project, 'Project');
export const ProjectApplicationConnection = ConnectionType(ProjectApplication, 'ProjectApplication');
export const PublisherConnection = ConnectionType(Publisher, 'Publisher');
