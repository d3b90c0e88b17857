import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { money, Money } from '../../core/money.js';
import { Role } from '../../core/roles.js';
import { Organization } from '../organizations/organization.entity.js';
import { Project } from './project.entity.js';
import { ContractMilestone, ContractPayment, ProjectContract } from './project-contract.entity.js';
import {
  AcceptMilestoneInput,
  ConfirmProjectOutcomeInput,
  ConfirmProjectOutcomePayload,
  MilestonePayload,
  RecordPaymentInput,
  RecordPaymentPayload,
  ReportMilestoneInput,
  ReturnMilestoneInput,
  SignContractInput,
  SignContractPayload,
} from './project-contract.inputs.js';
import { contractShown } from './project-contract.policy.js';
import { outcomeSummary } from './project-contract.js';
import { ContractPeriod, ProjectOutcomeConfirmations } from './project-contract.types.js';

/** Staff roles that act for publishers. */
const PUBLISHER_ROLES = [Role.UNION_STAFF, Role.GOV_STAFF, Role.ENTERPRISE_STAFF];

/** After the award: the contract, its milestones and payments, and the workers' confirmed outcomes. */
@Resolver(() => Project)
export class ProjectContractResolver {
  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => SignContractPayload, {
    description:
      "The publisher's staff sign the contract of an AWARDED project with an awarded application (value, period, documents, milestones); signing starts delivery (IN_PROGRESS).",
  })
  signContract(
    @Ctx() ctx: Context,
    @Arg('input', () => SignContractInput) input: SignContractInput,
  ): Promise<SignContractPayload> {
    return ctx.services.projectContracts.sign(ctx, input);
  }

  @Authorized(Role.ORG_ADMIN, Role.ORG_MEMBER)
  @Mutation(() => MilestonePayload, {
    description:
      "The contracted organization's members report a PENDING or RETURNED milestone as delivered; the publisher's staff are told.",
  })
  async reportMilestone(
    @Ctx() ctx: Context,
    @Arg('input', () => ReportMilestoneInput) input: ReportMilestoneInput,
  ): Promise<MilestonePayload> {
    return { milestone: await ctx.services.projectContracts.reportMilestone(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => MilestonePayload, {
    description:
      "The publisher's staff accept a REPORTED milestone; its payment falls due and the organization is told.",
  })
  async acceptMilestone(
    @Ctx() ctx: Context,
    @Arg('input', () => AcceptMilestoneInput) input: AcceptMilestoneInput,
  ): Promise<MilestonePayload> {
    return { milestone: await ctx.services.projectContracts.acceptMilestone(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => MilestonePayload, {
    description: "The publisher's staff return a REPORTED milestone with a reason; the organization is told.",
  })
  async returnMilestone(
    @Ctx() ctx: Context,
    @Arg('input', () => ReturnMilestoneInput) input: ReturnMilestoneInput,
  ): Promise<MilestonePayload> {
    return { milestone: await ctx.services.projectContracts.returnMilestone(ctx, input) };
  }

  @Authorized(...PUBLISHER_ROLES)
  @Mutation(() => RecordPaymentPayload, {
    description:
      "The publisher's staff record a payment against an ACCEPTED milestone or the contract: never above what is due, nor the payments above the contract value.",
  })
  async recordPayment(
    @Ctx() ctx: Context,
    @Arg('input', () => RecordPaymentInput) input: RecordPaymentInput,
  ): Promise<RecordPaymentPayload> {
    return { contract: await ctx.services.projectContracts.recordPayment(ctx, input) };
  }

  @Authorized()
  @Mutation(() => ConfirmProjectOutcomePayload, {
    description:
      'The worker who submitted a demand the project was made from confirms whether she was served and rates it 1 to 5 (IN_PROGRESS or COMPLETED projects); answering again replaces her answer.',
  })
  async confirmProjectOutcome(
    @Ctx() ctx: Context,
    @Arg('input', () => ConfirmProjectOutcomeInput) input: ConfirmProjectOutcomeInput,
  ): Promise<ConfirmProjectOutcomePayload> {
    return { project: await ctx.services.projectOutcomes.confirm(ctx, input) };
  }

  @FieldResolver(() => ProjectContract, {
    nullable: true,
    description: 'The signed contract (public once delivery starts, as the award is); null before signing.',
  })
  async contract(@Ctx() ctx: Context, @Root() project: Project): Promise<ProjectContract | null> {
    if (!contractShown(project.status)) return null;
    return ctx.loaders.contracts.byProject.load(project.id);
  }

  @FieldResolver(() => ProjectOutcomeConfirmations, {
    description:
      'What the workers whose demands the project was made from say: served or not, and their ratings, as figures.',
  })
  async outcomeConfirmations(
    @Ctx() ctx: Context,
    @Root() project: Project,
  ): Promise<ProjectOutcomeConfirmations> {
    const [counts, contract, awards] = await Promise.all([
      ctx.loaders.contracts.outcomeCounts.load(project.id),
      contractShown(project.status) ? ctx.loaders.contracts.byProject.load(project.id) : null,
      ctx.services.projectQueries.awards(ctx, project),
    ]);
    const basis =
      contract?.valueFen ?? (awards.length ? awards.reduce((sum, a) => sum + (a.awardedFen ?? 0), 0) : null);
    const summary = outcomeSummary(counts, basis);
    return {
      confirmedServed: summary.confirmedServed,
      responses: summary.responses,
      meanRating: summary.meanRating,
      suppressed: summary.suppressed,
      costPerConfirmedWorker:
        summary.costPerConfirmedWorkerFen === null ? null : money(summary.costPerConfirmedWorkerFen),
    };
  }
}

@Resolver(() => ProjectContract)
export class ContractFieldsResolver {
  @FieldResolver(() => Money, { description: 'The contract value (exact, in fen).' })
  value(@Root() contract: ProjectContract): Money {
    return money(contract.valueFen);
  }

  @FieldResolver(() => ContractPeriod)
  period(@Root() contract: ProjectContract): ContractPeriod {
    return { startDate: contract.periodStart, endDate: contract.periodEnd };
  }

  @FieldResolver(() => Organization, { description: 'The awarded organization the contract is with.' })
  supplier(@Root() contract: ProjectContract): Promise<Organization> {
    return contract.organization.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => Project)
  project(@Root() contract: ProjectContract): Promise<Project> {
    return contract.project.loadOrFail({ dataloader: true });
  }

  @FieldResolver(() => [ContractMilestone], { description: "The milestones, in the contract's order." })
  milestones(@Ctx() ctx: Context, @Root() contract: ProjectContract): Promise<ContractMilestone[]> {
    return ctx.loaders.contracts.milestones.load(contract.id);
  }

  @FieldResolver(() => [ContractPayment], { description: 'Every payment recorded, oldest first.' })
  payments(@Ctx() ctx: Context, @Root() contract: ProjectContract): Promise<ContractPayment[]> {
    return ctx.loaders.contracts.payments.load(contract.id);
  }

  @FieldResolver(() => Money, { description: 'The sum of the payments recorded.' })
  async paidTotal(@Ctx() ctx: Context, @Root() contract: ProjectContract): Promise<Money> {
    const payments = await ctx.loaders.contracts.payments.load(contract.id);
    return money(payments.reduce((sum, p) => sum + p.amountFen, 0));
  }
}

@Resolver(() => ContractMilestone)
export class ContractMilestoneResolver {
  @FieldResolver(() => Money, { description: 'What its acceptance makes due (exact, in fen).' })
  payment(@Root() milestone: ContractMilestone): Money {
    return money(milestone.paymentFen);
  }

  @FieldResolver(() => [ContractPayment], { description: 'The payments recorded against it, oldest first.' })
  async payments(@Ctx() ctx: Context, @Root() milestone: ContractMilestone): Promise<ContractPayment[]> {
    const payments = await ctx.loaders.contracts.payments.load(milestone.contract.id);
    return payments.filter((p) => p.milestone?.id === milestone.id);
  }

  @FieldResolver(() => Money, { description: 'The sum paid against it.' })
  async paidTotal(@Ctx() ctx: Context, @Root() milestone: ContractMilestone): Promise<Money> {
    const payments = await this.payments(ctx, milestone);
    return money(payments.reduce((sum, p) => sum + p.amountFen, 0));
  }
}

@Resolver(() => ContractPayment)
export class ContractPaymentResolver {
  @FieldResolver(() => Money)
  amount(@Root() payment: ContractPayment): Money {
    return money(payment.amountFen);
  }

  @FieldResolver(() => ContractMilestone, {
    nullable: true,
    description: 'The milestone it pays; null for a payment against the contract as a whole.',
  })
  milestone(@Ctx() ctx: Context, @Root() payment: ContractPayment): Promise<ContractMilestone | null> {
    const id = payment.milestone?.id;
    if (id === undefined) return Promise.resolve(null);
    return ctx.loaders.contracts.milestones
      .load(payment.contract.id)
      .then((milestones) => milestones.find((m) => m.id === id) ?? null);
  }
}
