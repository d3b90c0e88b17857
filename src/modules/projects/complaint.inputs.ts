import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { FreeText } from '../../core/input-text.js';
import { ProjectComplaint } from './complaint.entity.js';
import { ComplaintOutcome } from './project.enums.js';
import { Project } from './project.entity.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

@InputType({
  description:
    'A member of an organization that applied to a project files a complaint (质疑/投诉) against its award, within COMPLAINT_PERIOD_DAYS of the award. The project cannot start while a complaint is open.',
})
export class FileComplaintInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'The complaining organization: an applicant; you must be its member.' })
  organizationId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The application the complaint concerns: your own, or an awarded one.',
  })
  @IsOptional()
  applicationId?: string | null;

  @Field(() => String, {
    description:
      'Why the award is wrong; 1 to 5,000 characters. Public (phone numbers hidden): name no person.',
  })
  @FreeText({ min: 1, max: 5000 })
  grounds!: string;

  @IdempotencyKeyField('complaint')
  idempotencyKey?: string | null;
}

@InputType({ description: "The publisher's staff respond to an open complaint, once." })
export class RespondToComplaintInput {
  @Field(() => ID) complaintId!: string;

  @Field(() => String, { description: '1 to 5,000 characters; public (phone numbers hidden).' })
  @FreeText({ min: 1, max: 5000 })
  response!: string;
}

@InputType({
  description:
    'An admin designates the reviewer who may rule on an open complaint: union staff not acting for the project’s publisher.',
})
export class DesignateComplaintReviewerInput {
  @Field(() => ID) complaintId!: string;

  @Field(() => ID, { description: 'An active UNION_STAFF account not acting for the project’s publisher.' })
  reviewerId!: string;
}

@InputType({
  description:
    'An admin, or the reviewer designated for the complaint, rules once. UPHELD suspends the award: the project is EVALUATING again.',
})
export class RuleOnComplaintInput {
  @Field(() => ID) complaintId!: string;

  @Field(() => ComplaintOutcome)
  outcome!: ComplaintOutcome;

  @Field(() => String, { description: 'Why; 1 to 5,000 characters; public (phone numbers hidden).' })
  @FreeText({ min: 1, max: 5000 })
  reasoning!: string;
}

@ObjectType()
export class ComplaintPayload {
  @Field(() => ProjectComplaint) complaint!: ProjectComplaint;

  @Field(() => Project) project!: Project;
}
