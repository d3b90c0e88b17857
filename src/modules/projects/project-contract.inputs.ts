import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { MAX_FEN } from '../../core/money.js';
import { FreeText } from '../../core/input-text.js';
import { Project } from './project.entity.js';
import { ProjectDocumentInput } from './project.inputs.js';
import { ContractMilestone, ProjectContract } from './project-contract.entity.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

/** Milestones a contract may have: the `milestones` list bound (src/list-bounds.ts). */
export const MAX_CONTRACT_MILESTONES = 20;

@InputType({
  description: 'A milestone of a contract: deliverables due by a date and the payment it releases.',
})
export class ContractMilestoneInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  @FreeText({ min: 1, max: 200 })
  title!: string;

  @Field(() => String, { description: 'What the organization delivers; 1 to 5,000 characters.' })
  @FreeText({ min: 1, max: 5_000 })
  deliverables!: string;

  @Field(() => Date, { description: 'Inside the contract period.' })
  dueAt!: Date;

  @Field(() => Int, {
    description:
      'Paid once the milestone is accepted, in fen; 0 or more. The milestones sum to at most the value.',
  })
  @IsInt()
  @Min(0, { message: 'must be 0 fen or more' })
  @Max(MAX_FEN)
  paymentFen!: number;
}

@InputType({
  description:
    "The publisher's staff sign the contract of an AWARDED project with an awarded application; signing starts delivery (IN_PROGRESS).",
})
export class SignContractInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'The awarded application the contract is signed on.' })
  applicationId!: string;

  @Field(() => Int, { description: 'The contract value in fen: at least 1, at most the amount awarded.' })
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  valueFen!: number;

  @Field(() => Date) periodStart!: Date;

  @Field(() => Date, { description: 'After `periodStart`.' })
  periodEnd!: Date;

  @Field(() => [ProjectDocumentInput], {
    nullable: true,
    description: 'Titles and http(s) links; the hub stores them and never fetches them.',
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  documents?: ProjectDocumentInput[] | null;

  @Field(() => [ContractMilestoneInput], { description: `1 to ${MAX_CONTRACT_MILESTONES} milestones.` })
  @ArrayMinSize(1, { message: 'must have at least one milestone' })
  @ArrayMaxSize(MAX_CONTRACT_MILESTONES)
  @ValidateNested({ each: true })
  milestones!: ContractMilestoneInput[];
}

@ObjectType()
export class SignContractPayload {
  @Field(() => Project) project!: Project;
  @Field(() => ProjectContract) contract!: ProjectContract;
}

@InputType({ description: "The awarded organization's members report a milestone as delivered." })
export class ReportMilestoneInput {
  @Field(() => ID) milestoneId!: string;

  @Field(() => String, { description: 'What was delivered; public; 1 to 5,000 characters.' })
  @FreeText({ min: 1, max: 5_000 })
  report!: string;
}

@InputType({ description: "The publisher's staff accept a reported milestone: its payment falls due." })
export class AcceptMilestoneInput {
  @Field(() => ID) milestoneId!: string;
}

@InputType({ description: "The publisher's staff return a reported milestone, with a reason." })
export class ReturnMilestoneInput {
  @Field(() => ID) milestoneId!: string;

  @Field(() => String, { description: 'Why; told to the organization and public; 1 to 2,000 characters.' })
  @FreeText({ min: 1, max: 2_000 })
  reason!: string;
}

@ObjectType()
export class MilestonePayload {
  @Field(() => ContractMilestone) milestone!: ContractMilestone;
}

@InputType({
  description:
    'A payment made under a contract: against an ACCEPTED milestone (`milestoneId`) or the contract as a whole (`contractId`), exactly one of them.',
})
export class RecordPaymentInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  milestoneId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  contractId?: string | null;

  @Field(() => Int, { description: 'In fen: at least 1, at most what is still due.' })
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  amountFen!: number;

  @Field(() => Date, { description: 'When it was paid; not in the future.' })
  paidAt!: Date;

  @IdempotencyKeyField('payment')
  idempotencyKey?: string | null;
}

@ObjectType()
export class RecordPaymentPayload {
  @Field(() => ProjectContract) contract!: ProjectContract;
}

@InputType({
  description:
    'A worker whose demand the project was made from says whether she was served, and rates it 1 to 5.',
})
export class ConfirmProjectOutcomeInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'Your demand, linked to the project.' })
  demandId!: string;

  @Field(() => Boolean) served!: boolean;

  @Field(() => Int, { nullable: true, description: '1 (poor) to 5 (excellent).' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be 1 to 5' })
  @Max(5, { message: 'must be 1 to 5' })
  rating?: number | null;
}

@ObjectType()
export class ConfirmProjectOutcomePayload {
  @Field(() => Project) project!: Project;
}
