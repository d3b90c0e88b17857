import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { ProjectQuestion } from './clarification.entity.js';
import {
  AnswerProjectQuestionInput,
  AnswerProjectQuestionPayload,
  AskProjectQuestionInput,
  AskProjectQuestionPayload,
} from './clarification.inputs.js';
import { Project, ProjectAmendment } from './project.entity.js';

@Resolver(() => ProjectQuestion)
export class ProjectQuestionResolver {
  @Authorized(Role.ORG_ADMIN, Role.ORG_MEMBER)
  @Mutation(() => AskProjectQuestionPayload, {
    description:
      'A member of an organization eligible for an open tender asks a clarification question (FORBIDDEN with `extensions.reason` when the organization is not eligible). Who asked is never shown.',
  })
  async askProjectQuestion(
    @Ctx() ctx: Context,
    @Arg('input', () => AskProjectQuestionInput) input: AskProjectQuestionInput,
  ): Promise<AskProjectQuestionPayload> {
    return { question: await ctx.services.projectClarifications.ask(ctx, input) };
  }

  @Authorized(Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF)
  @Mutation(() => AnswerProjectQuestionPayload, {
    description:
      "The publisher's staff answer a question once (CONFLICT for a second answer). The answer is public, and every eligible organization is notified in the same round (PROJECT_CLARIFIED); with `changesTerms` it is also an amendment.",
  })
  answerProjectQuestion(
    @Ctx() ctx: Context,
    @Arg('input', () => AnswerProjectQuestionInput) input: AnswerProjectQuestionInput,
  ): Promise<AnswerProjectQuestionPayload> {
    return ctx.services.projectClarifications.answer(ctx, input);
  }

  @FieldResolver(() => Project)
  project(@Root() question: ProjectQuestion): Promise<Project> {
    return question.project.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => ProjectAmendment, {
    nullable: true,
    description: 'The amendment an answer that changes the terms was recorded as.',
  })
  async amendment(@Root() question: ProjectQuestion): Promise<ProjectAmendment | null> {
    return question.amendment ? question.amendment.loadOrFail({ dataloader: true }) : null;
  }
}

@Resolver(() => Project)
export class ProjectClarificationsResolver {
  @FieldResolver(() => [ProjectQuestion], {
    description:
      'Answered clarification questions, in the order they were answered: public, and attributed to no one.',
  })
  clarifications(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectQuestion[]> {
    return ctx.services.projectClarifications.clarifications(ctx, project);
  }

  @FieldResolver(() => [ProjectQuestion], {
    description: "Questions not answered yet, oldest first: for the publisher's staff; empty for others.",
  })
  openQuestions(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectQuestion[]> {
    return ctx.services.projectClarifications.openQuestions(ctx, project);
  }
}
