import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../core/relay/connection.js';
import { EvaluationGrade, FoundingType } from '../organizations/organization.enums.js';
import { IneligibilityReason } from './project.enums.js';
import { ProjectApplication } from './application.entity.js';
import { Project } from './project.entity.js';
import { Publisher } from './publisher.entity.js';

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
    "The hub's verdict on an applicant as it stands now, by the rules `applyToProject` applies (a suspension or a new grade since it applied may change it).",
})
export class ApplicantEligibility {
  @Field(() => Boolean, { description: 'Whether the organization meets every rule of the project now.' })
  eligible!: boolean;

  @Field(() => [IneligibilityReason], {
    description:
      "Every rule it fails, in the order `applyToProject` checks them (its first is the refusal's `extensions.reason`); empty when eligible.",
  })
  failedRules!: IneligibilityReason[];
}

export const ProjectConnection = ConnectionType(Project, 'Project');
export const ProjectApplicationConnection = ConnectionType(ProjectApplication, 'ProjectApplication');
export const PublisherConnection = ConnectionType(Publisher, 'Publisher');
