import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_FEN } from '../../core/money.js';
import { TargetGroup } from '../categories/target-group.js';
import { EvaluationGrade, FoundingType, ProviderKind } from '../organizations/organization.enums.js';
import { User } from '../accounts/user.entity.js';
import { ProcurementMethod, PublisherKind } from './project.enums.js';
import { Publisher } from './publisher.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { ProjectApplication } from './application.entity.js';
import { Demand } from '../demands/demand.entity.js';
import { FreeText } from '../../core/input-text.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

const REGION_CODE = /^\d{6}$/;
const REGION_CODE_RULE = 'must be a 6-digit GB/T 2260 code';

// ── Publishers ──────────────────────────────────────────────────────────────────────────────────

@InputType({ description: 'Admins, and union staff inside their region scope, register a publisher.' })
export class CreatePublisherInput {
  @Field(() => PublisherKind)
  @IsIn(Object.values(PublisherKind))
  kind!: PublisherKind;

  @Field(() => String, { description: 'Full name, 1 to 200 characters, e.g. 济南市总工会.' })
  @FreeText({ min: 1, max: 200 })
  name!: string;

  @Field(() => String, { description: 'GB/T 2260 code of the region the publisher is in.' })
  @Matches(REGION_CODE, { message: REGION_CODE_RULE })
  regionCode!: string;

  @IdempotencyKeyField('publisher')
  idempotencyKey?: string | null;
}

@ObjectType()
export class CreatePublisherPayload {
  @Field(() => Publisher) publisher!: Publisher;
}

@InputType({ description: 'Makes a staff account act for a publisher (one publisher per account).' })
export class AddPublisherStaffInput {
  @Field(() => ID) publisherId!: string;

  @Field(() => ID, { description: 'A staff account holding the role that matches the publisher kind.' })
  userId!: string;
}

@ObjectType()
export class AddPublisherStaffPayload {
  @Field(() => Publisher) publisher!: Publisher;
  @Field(() => User) user!: User;
}

// ── Projects ────────────────────────────────────────────────────────────────────────────────────

@InputType({ description: 'A tender document: a title and an http(s) link.' })
export class ProjectDocumentInput {
  @Field(() => String)
  @FreeText({ min: 1, max: 200 })
  title!: string;

  @Field(() => String)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'must be an http(s) URL' })
  @MaxLength(500)
  url!: string;
}

@InputType({ description: 'Who may apply. Omitted fields keep their current value (or the default).' })
export class ProjectEligibilityInput {
  @Field(() => Boolean, { nullable: true, description: 'Only verified organizations (default true).' })
  @IsOptional()
  verifiedOnly?: boolean | null;

  @Field(() => EvaluationGrade, { nullable: true, description: 'Lowest evaluation grade (default NONE).' })
  @IsOptional()
  minGrade?: EvaluationGrade | null;

  @Field(() => [FoundingType], {
    nullable: true,
    description: 'Founding types allowed; empty = all (default).',
  })
  @IsOptional()
  allowedFoundingTypes?: FoundingType[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'The organization must serve every region of the project (default true).',
  })
  @IsOptional()
  mustServeRegions?: boolean | null;

  @Field(() => [ProviderKind], {
    nullable: true,
    description:
      'Kinds of provider allowed; empty = every kind (default), so caring enterprises, public institutions and community groups may apply unless the project says otherwise.',
  })
  @IsOptional()
  allowedProviderKinds?: ProviderKind[] | null;
}

/** The editable fields of a project, shared by `publishProject` and `updateProject`. */
@InputType({ description: 'The editable fields of a project (base of the publish and update inputs).' })
export class ProjectFieldsInput {
  @Field(() => String, { nullable: true, description: '1 to 200 characters.' })
  @IsOptional()
  @FreeText({ min: 1, max: 200 })
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @FreeText({ max: 20_000 })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Service category code, e.g. LIFE.CHILDCARE.' })
  @IsOptional()
  @Length(1, 64)
  categoryCode?: string | null;

  @Field(() => [String], { nullable: true, description: 'GB/T 2260 codes of the regions served (1 to 20).' })
  @IsOptional()
  @ArrayMinSize(1, { message: 'must name at least one region' })
  @ArrayMaxSize(20)
  @Matches(REGION_CODE, { each: true, message: REGION_CODE_RULE })
  regionCodes?: string[] | null;

  @Field(() => [TargetGroup], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  targetGroups?: TargetGroup[] | null;

  @Field(() => Int, { nullable: true, description: 'Budget in integer fen (分), at least 1.' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  budgetFen?: number | null;

  @Field(() => ProcurementMethod, { nullable: true, description: 'OPEN by default.' })
  @IsOptional()
  procurementMethod?: ProcurementMethod | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Organizations invited to a SELECTIVE project (or the one of a DIRECT project).',
  })
  @IsOptional()
  @ArrayMaxSize(100)
  invitedOrganizationIds?: string[] | null;

  @Field(() => ProjectEligibilityInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  eligibility?: ProjectEligibilityInput | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  applicationOpensAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Must be after `applicationOpensAt`.' })
  @IsOptional()
  applicationClosesAt?: Date | null;

  @Field(() => [ProjectDocumentInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  documents?: ProjectDocumentInput[] | null;
}

@InputType({ description: 'An award criterion: a unique name and its weight (the weights sum to 100).' })
export class AwardCriterionInput {
  @Field(() => String, { description: '1 to 100 characters, unique within the project.' })
  @FreeText({ min: 1, max: 100 })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What is judged and how; up to 2,000 characters.' })
  @IsOptional()
  @FreeText({ max: 2000 })
  description?: string | null;

  @Field(() => Int, { description: 'Percent of the weighted score, 1 to 100.' })
  @IsInt()
  @Min(1, { message: 'must be 1 to 100' })
  @Max(100, { message: 'must be 1 to 100' })
  weight!: number;
}

@InputType({
  description:
    'Creates a project (as a DRAFT, or published at once), or — with `projectId` — applies the given ' +
    'fields to a draft and publishes it. A new project needs title, categoryCode, regionCodes, ' +
    'budgetFen, applicationOpensAt and applicationClosesAt.',
})
export class PublishProjectInput extends ProjectFieldsInput {
  @Field(() => ID, { nullable: true, description: 'An existing DRAFT to publish.' })
  @IsOptional()
  projectId?: string | null;

  @Field(() => Boolean, { defaultValue: true, description: 'false: save as a DRAFT only.' })
  publish: boolean = true;

  @Field(() => [AwardCriterionInput], {
    nullable: true,
    description:
      'The award criteria (1 to 20, names unique, integer weights summing to 100); omitted: unchanged (a new project has none). Fixed once an application is made, except by an amendment that reopens the period.',
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  criteria?: AwardCriterionInput[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why competition is narrowed, required when publishing raises a fairness flag (a founding-type restriction, the DIRECT method); shown publicly with the flag. Ignored when nothing is flagged.',
  })
  @IsOptional()
  @FreeText({ min: 1, max: 2000 })
  fairnessRationale?: string | null;

  @IdempotencyKeyField('project')
  idempotencyKey?: string | null;
}

@InputType({
  description:
    'Announces a project as a plan (采购意向: expected budget, timing, category, regions), public and ' +
    'pushed to eligible organizations as `projectPublished`; later published as a tender with ' +
    '`publishProject(projectId)`. A new plan needs title, categoryCode, regionCodes, budgetFen (the ' +
    'expected budget), applicationOpensAt and applicationClosesAt (the expected tender period).',
})
export class PlanProjectInput extends ProjectFieldsInput {
  @Field(() => ID, { nullable: true, description: 'An existing DRAFT to announce as a plan.' })
  @IsOptional()
  projectId?: string | null;

  @IdempotencyKeyField('project')
  idempotencyKey?: string | null;
}

@ObjectType()
export class PublishProjectPayload {
  @Field(() => Project) project!: Project;
}

@InputType({
  description:
    'Changes a project. A draft changes freely; after publication (PUBLISHED only) every change is an ' +
    'amendment with a rationale, kept and shown with the project.',
})
export class UpdateProjectInput extends ProjectFieldsInput {
  @Field(() => ID) projectId!: string;

  @Field(() => String, { nullable: true, description: 'Why it changes; required after publication.' })
  @IsOptional()
  @FreeText({ min: 1, max: 2000 })
  rationale?: string | null;

  @Field(() => [AwardCriterionInput], {
    nullable: true,
    description:
      'New award criteria (as in `publishProject`). Once an application is made they change only with a later `applicationClosesAt` in the future: the amendment reopens (or extends) the period.',
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  criteria?: AwardCriterionInput[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why competition is narrowed, required when an amendment restricts eligibility by founding type (a fairness flag); shown publicly with the flag. Ignored when nothing is flagged.',
  })
  @IsOptional()
  @FreeText({ min: 1, max: 2000 })
  fairnessRationale?: string | null;
}

@ObjectType()
export class UpdateProjectPayload {
  @Field(() => Project) project!: Project;

  @Field(() => ProjectAmendment, {
    nullable: true,
    description: 'The amendment recorded, after publication.',
  })
  amendment!: ProjectAmendment | null;
}

@InputType({ description: 'Cancels a project, or ends it UNSUCCESSFUL (no award) after evaluation.' })
export class CancelProjectInput {
  @Field(() => ID) projectId!: string;

  @Field(() => String, { description: 'Why; shown publicly.' })
  @FreeText({ min: 1, max: 2000 })
  reason!: string;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'true: ends the tender UNSUCCESSFUL (only while EVALUATING) instead of CANCELLED.',
  })
  unsuccessful: boolean = false;
}

@ObjectType()
export class ProjectPayload {
  @Field(() => Project) project!: Project;
}

@InputType({ description: 'An organization admin applies to a project inside its application period.' })
export class ApplyToProjectInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'The applying organization; you must be its ORG_ADMIN.' })
  organizationId!: string;

  @Field(() => String, { description: 'What the organization proposes; 1 to 20,000 characters.' })
  @FreeText({ min: 1, max: 20_000 })
  proposal!: string;

  @Field(() => Int, { description: 'Amount requested in fen; at least 1 and at most the budget.' })
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  requestedFen!: number;

  @IdempotencyKeyField('application')
  idempotencyKey?: string | null;
}

@ObjectType()
export class ApplicationPayload {
  @Field(() => ProjectApplication) application!: ProjectApplication;
}

@InputType()
export class WithdrawApplicationInput {
  @Field(() => ID) applicationId!: string;
}

@InputType()
export class ShortlistApplicationInput {
  @Field(() => ID) applicationId!: string;
}

@InputType({ description: 'One winning application and the amount awarded to it.' })
export class AwardLineInput {
  @Field(() => ID) applicationId!: string;

  @Field(() => Int, { description: 'Amount awarded in fen; at least 1, at most what it requested.' })
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  amountFen!: number;
}

@InputType({
  description:
    'Awards the project to one or more applications; amounts sum to at most the budget; the others are rejected.',
})
export class AwardProjectInput {
  @Field(() => ID) projectId!: string;

  @Field(() => [AwardLineInput])
  @ArrayMinSize(1, { message: 'must award at least one application' })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  awards!: AwardLineInput[];

  @Field(() => String, {
    nullable: true,
    description:
      "Why these applications win, against the project's award criteria; required when it has criteria. Public with the award.",
  })
  @IsOptional()
  @FreeText({ min: 1, max: 20_000 })
  justification?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why, required when the award raises a fairness flag (only one organization applied; a winner already won the set number of this publisher’s projects in the set window); shown publicly with the flag. Ignored when nothing is flagged.',
  })
  @IsOptional()
  @FreeText({ min: 1, max: 2000 })
  fairnessRationale?: string | null;
}

@ObjectType()
export class AwardProjectPayload {
  @Field(() => Project) project!: Project;
  @Field(() => [ProjectApplication], { description: 'The winning applications.' })
  awarded!: ProjectApplication[];
}

@InputType({ description: "The score on one of the project's award criteria." })
export class CriterionScoreInput {
  @Field(() => String, { description: 'The name of the criterion.' })
  @Length(1, 100)
  criterion!: string;

  @Field(() => Int, { description: '0 to 100.' })
  @IsInt()
  @Min(0, { message: 'must be 0 to 100' })
  @Max(100, { message: 'must be 0 to 100' })
  score!: number;

  @Field(() => String, { nullable: true, description: 'Up to 2,000 characters.' })
  @IsOptional()
  @FreeText({ max: 2000 })
  comment?: string | null;
}

@InputType({
  description:
    "The publisher's staff score an application while the project is EVALUATING: every criterion exactly once. Scoring again replaces the scores (audited).",
})
export class ScoreApplicationInput {
  @Field(() => ID) applicationId!: string;

  @Field(() => [CriterionScoreInput])
  @ArrayMinSize(1, { message: 'must score every criterion' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  scores!: CriterionScoreInput[];
}

@InputType({ description: 'The awarded project starts delivery (the contract is signed).' })
export class StartProjectInput {
  @Field(() => ID) projectId!: string;
}

@InputType({ description: "Closes delivery with its outcome and the publisher's 1–5 evaluation." })
export class CompleteProjectInput {
  @Field(() => ID) projectId!: string;

  @Field(() => String, { description: 'What was delivered; 1 to 20,000 characters.' })
  @FreeText({ min: 1, max: 20_000 })
  outcome!: string;

  @Field(() => Int, { description: 'The publisher’s evaluation, 1 (poor) to 5 (excellent).' })
  @IsInt()
  @Min(1, { message: 'must be 1 to 5' })
  @Max(5, { message: 'must be 1 to 5' })
  evaluationScore!: number;
}

// ── Projects from workers' demands (职工点单、工会买单) ─────────────────────────────────────────────

@InputType({
  description:
    'Union staff turn OPEN worker demands in their region scope, all of one service category, into a ' +
    'DRAFT project linked to them. Omitted fields get defaults derived from the demands; edit the draft ' +
    'with `updateProject` and publish it with `publishProject`.',
})
export class CreateProjectFromDemandsInput {
  @Field(() => [ID], { description: 'The demands (1 to 100): OPEN, in your scope, one category.' })
  @ArrayMinSize(1, { message: 'must name at least one demand' })
  @ArrayMaxSize(100)
  demandIds!: string[];

  @Field(() => ID, { description: 'The union publisher you act for.' })
  publisherId!: string;

  @Field(() => String, {
    nullable: true,
    description: '1 to 200 characters; default derived from the demands.',
  })
  @IsOptional()
  @FreeText({ min: 1, max: 200 })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Default: the demands’ titles, one per line.' })
  @IsOptional()
  @FreeText({ max: 20_000 })
  description?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Budget in integer fen. Default: an estimate of 200 yuan (20,000 fen) per person affected, to be edited before publishing.',
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(MAX_FEN)
  budgetFen?: number | null;

  @Field(() => ProcurementMethod, { nullable: true, description: 'OPEN by default.' })
  @IsOptional()
  procurementMethod?: ProcurementMethod | null;

  @Field(() => ProjectEligibilityInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  eligibility?: ProjectEligibilityInput | null;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  @IsOptional()
  applicationOpensAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Default: 30 days after `applicationOpensAt`.' })
  @IsOptional()
  applicationClosesAt?: Date | null;

  @IdempotencyKeyField('project')
  idempotencyKey?: string | null;
}

@ObjectType()
export class CreateProjectFromDemandsPayload {
  @Field(() => Project, { description: 'The new DRAFT, linked to the demands.' })
  project!: Project;
}

@InputType({
  description:
    'The winning organization reports which of the demands a project was made from it fulfilled: ' +
    'while the project is IN_PROGRESS or once it is COMPLETED. The demands named become FULFILLED; ' +
    'the others stay as they are (report them later, or release them).',
})
export class ReportProjectDemandsInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'The winning organization; you must be its ORG_ADMIN.' })
  organizationId!: string;

  @Field(() => [ID], {
    description:
      'The fulfilled demands (1 to 100): linked to the project, CLAIMED or IN_SERVICE by your organization.',
  })
  @ArrayMinSize(1, { message: 'must name at least one demand' })
  @ArrayMaxSize(100)
  fulfilledDemandIds!: string[];
}

@ObjectType()
export class ReportProjectDemandsPayload {
  @Field(() => Project) project!: Project;

  @Field(() => [Demand], { description: 'The demands now FULFILLED, in the order named.' })
  fulfilled!: Demand[];
}
