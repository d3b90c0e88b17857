import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { FreeText } from '../../core/input-text.js';
import { ProjectQuestion } from './clarification.entity.js';
import { Project, ProjectAmendment } from './project.entity.js';
import { IdempotencyKeyField } from '../../core/idempotency/retry-key.js';

@InputType({
  description:
    'A member of an organization eligible for a tender asks the publisher a clarification question while the tender is open. Who asked is never shown.',
})
export class AskProjectQuestionInput {
  @Field(() => ID) projectId!: string;

  @Field(() => ID, { description: 'The organization asking; you must be one of its members.' })
  organizationId!: string;

  @Field(() => String, {
    description: '1 to 2,000 characters; public once answered, so name no person and give no contact.',
  })
  @FreeText({ min: 1, max: 2000 })
  question!: string;

  @IdempotencyKeyField('question')
  idempotencyKey?: string | null;
}

@ObjectType()
export class AskProjectQuestionPayload {
  @Field(() => ProjectQuestion) question!: ProjectQuestion;
}

@InputType({
  description:
    "The publisher's staff answer a clarification question once; the answer is public and every eligible organization is told at the same time.",
})
export class AnswerProjectQuestionInput {
  @Field(() => ID) questionId!: string;

  @Field(() => String, { description: '1 to 5,000 characters; public.' })
  @FreeText({ min: 1, max: 5000 })
  answer!: string;

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'true: the answer changes the terms of the tender; it is recorded as an amendment with the answer as rationale (only while the tender is open).',
  })
  changesTerms: boolean = false;
}

@ObjectType()
export class AnswerProjectQuestionPayload {
  @Field(() => ProjectQuestion) question!: ProjectQuestion;

  @Field(() => Project) project!: Project;

  @Field(() => ProjectAmendment, {
    nullable: true,
    description: 'The amendment recorded when the answer changes the terms.',
  })
  amendment!: ProjectAmendment | null;
}
