import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Role } from '../../core/roles.js';
import { ProjectComplaint } from './complaint.entity.js';
import {
  ComplaintPayload,
  DesignateComplaintReviewerInput,
  FileComplaintInput,
  RespondToComplaintInput,
  RuleOnComplaintInput,
} from './complaint.inputs.js';
import { Project } from './project.entity.js';
import { hidePhoneNumbers } from './public-text.js';

/** The payload of a complaint mutation: the complaint and its project as they are now. */
async function payload(complaint: ProjectComplaint): Promise<ComplaintPayload> {
  return { complaint, project: await complaint.project.loadOrFail({ dataloader: true }) };
}

@Resolver(() => ProjectComplaint)
export class ProjectComplaintResolver {
  @Authorized(Role.ORG_ADMIN, Role.ORG_MEMBER)
  @Mutation(() => ComplaintPayload, {
    description:
      'A member of an organization that applied files a complaint (质疑/投诉) against the award, within COMPLAINT_PERIOD_DAYS of it (FORBIDDEN with `extensions.reason` COMPLAINT_PERIOD_ENDED or NOT_AN_APPLICANT). The project cannot start while it is open.',
  })
  async fileComplaint(
    @Ctx() ctx: Context,
    @Arg('input', () => FileComplaintInput) input: FileComplaintInput,
  ): Promise<ComplaintPayload> {
    return payload(await ctx.services.projectComplaints.file(ctx, input));
  }

  @Authorized(Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF)
  @Mutation(() => ComplaintPayload, {
    description: "The publisher's staff respond to an open complaint, once.",
  })
  async respondToComplaint(
    @Ctx() ctx: Context,
    @Arg('input', () => RespondToComplaintInput) input: RespondToComplaintInput,
  ): Promise<ComplaintPayload> {
    return payload(await ctx.services.projectComplaints.respond(ctx, input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ComplaintPayload, {
    description:
      'An admin designates the reviewer who may rule on an open complaint: union staff not acting for the project’s publisher.',
  })
  async designateComplaintReviewer(
    @Ctx() ctx: Context,
    @Arg('input', () => DesignateComplaintReviewerInput) input: DesignateComplaintReviewerInput,
  ): Promise<ComplaintPayload> {
    return payload(await ctx.services.projectComplaints.designateReviewer(ctx, input));
  }

  @Authorized(Role.ADMIN, Role.UNION_STAFF)
  @Mutation(() => ComplaintPayload, {
    description:
      'An admin or the designated reviewer rules on a complaint, once (CONFLICT for a second ruling). UPHELD suspends the award: the project is EVALUATING again and its applications back in the running.',
  })
  async ruleOnComplaint(
    @Ctx() ctx: Context,
    @Arg('input', () => RuleOnComplaintInput) input: RuleOnComplaintInput,
  ): Promise<ComplaintPayload> {
    return payload(await ctx.services.projectComplaints.rule(ctx, input));
  }

  @FieldResolver(() => String, { description: 'Why the award is wrong (phone numbers hidden).' })
  grounds(@Root() complaint: ProjectComplaint): string {
    return hidePhoneNumbers(complaint.grounds);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "The publisher's response (phone numbers hidden); null until it responds.",
  })
  response(@Root() complaint: ProjectComplaint): string | null {
    return complaint.response == null ? null : hidePhoneNumbers(complaint.response);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The reasoning of the ruling (phone numbers hidden); null while open.',
  })
  reasoning(@Root() complaint: ProjectComplaint): string | null {
    return complaint.reasoning == null ? null : hidePhoneNumbers(complaint.reasoning);
  }

  @FieldResolver(() => Project)
  project(@Root() complaint: ProjectComplaint): Promise<Project> {
    return complaint.project.loadOrFail({ dataloader: true });
  }
}

@Resolver(() => Project)
export class ProjectComplaintsResolver {
  @FieldResolver(() => [ProjectComplaint], {
    description:
      'Complaints (质疑/投诉) against the award, oldest first, with responses and rulings: public, naming no one.',
  })
  complaints(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectComplaint[]> {
    return ctx.services.projectComplaints.complaints(ctx, project);
  }
}
