import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import type { FairnessConfig } from '../../core/config.js';
import { BadUserInputError } from '../../core/errors.js';
import { toGlobalId } from '../../core/relay/global-id.js';
import { User } from '../accounts/user.entity.js';
import type { FoundingType } from '../organizations/organization.enums.js';
import type { ProjectApplication } from './application.entity.js';
import { FairnessFlagStep } from './fairness.enums.js';
import { ProjectFairnessFlag } from './fairness-flag.entity.js';
import {
  amendmentFlags,
  awardFlags,
  publicationFlags,
  rationaleRequirement,
  type RaisedFlag,
} from './fairness-flags.js';
import type { Project } from './project.entity.js';

/** Where the rationale goes in every input that may need it. */
const RATIONALE_FIELD = 'input.fairnessRationale';

/** A flag as the decision's audit entry records it. */
export interface AuditedFlag {
  kind: string;
  organizationId: string | null;
  priorAwards: number | null;
}

/**
 * Fairness flags (docs/domain.md, "Fairness flags"): decisions that narrow competition need a written
 * rationale at their step and are recorded with it, in the decision's transaction. A flag never
 * refuses a decision; only its missing rationale does (BAD_USER_INPUT on `input.fairnessRationale`).
 * A rationale given for a decision that raises no flag is not kept.
 */
export class ProjectFairnessService {
  constructor(private readonly config: FairnessConfig) {}

  /** `publishProject` making a project public: founding-type restriction, DIRECT method. */
  atPublication(actor: Actor, project: Project, rationale: string | null | undefined): ProjectFairnessFlag[] {
    return this.raise(
      actor,
      project,
      FairnessFlagStep.PUBLICATION,
      publicationFlags(project),
      rationale,
      project.publishedAt ?? new Date(),
    );
  }

  /** `updateProject` amending a published project's founding types to a restriction. */
  atAmendment(
    actor: Actor,
    project: Project,
    changedFoundingTypes: readonly FoundingType[] | null,
    rationale: string | null | undefined,
    at: Date,
  ): ProjectFairnessFlag[] {
    return this.raise(
      actor,
      project,
      FairnessFlagStep.AMENDMENT,
      amendmentFlags(changedFoundingTypes),
      rationale,
      at,
    );
  }

  /**
   * `awardProject`, once the project row is locked by the award's guarded UPDATE (no application
   * joins or leaves meanwhile): a single applicant, repeat winners of this publisher.
   */
  async atAward(
    actor: Actor,
    project: Project,
    awarded: readonly ProjectApplication[],
    rationale: string | null | undefined,
  ): Promise<ProjectFairnessFlag[]> {
    const at = project.awardedAt ?? new Date();
    const conn = actor.em.getConnection();
    const applicants = await conn.execute<{ organization_id: string }[]>(
      `select distinct organization_id from project_application where project_id = ? and status <> 'WITHDRAWN'`,
      [project.id],
      'all',
    );
    const winnerIds = [...new Set(awarded.map((a) => a.organization.id))];
    const prior = await conn.execute<{ organization_id: string; n: number }[]>(
      `select a.organization_id, count(distinct p.id)::int as n
         from project_application a join project p on p.id = a.project_id
        where a.status = 'AWARDED' and p.publisher_id = ? and p.id <> ?
          and a.organization_id in (${winnerIds.map(() => '?').join(', ')})
          and p.awarded_at > ?::timestamptz - make_interval(months => ?) and p.awarded_at <= ?
        group by a.organization_id`,
      [project.publisher.id, project.id, ...winnerIds, at, this.config.repeatWinnerWindowMonths, at],
      'all',
    );
    const priorOf = new Map(prior.map((r) => [Number(r.organization_id), r.n]));
    const flags = awardFlags(
      applicants.map((r) => Number(r.organization_id)),
      winnerIds.map((organizationId) => ({ organizationId, priorAwards: priorOf.get(organizationId) ?? 0 })),
      { awards: this.config.repeatWinnerAwards, windowMonths: this.config.repeatWinnerWindowMonths },
    );
    return this.raise(actor, project, FairnessFlagStep.AWARD, flags, rationale, at);
  }

  private raise(
    actor: Actor,
    project: Project,
    step: FairnessFlagStep,
    flags: readonly RaisedFlag[],
    rationale: string | null | undefined,
    at: Date,
  ): ProjectFairnessFlag[] {
    if (flags.length === 0) return [];
    const text = rationale?.trim();
    if (!text) throw BadUserInputError.field(RATIONALE_FIELD, rationaleRequirement(flags));
    const viewer = actor.viewer;
    return flags.map((f) =>
      actor.em.create(ProjectFairnessFlag, {
        project: ref(project),
        kind: f.kind,
        step,
        rationale: text,
        organization: f.organizationId !== null ? f.organizationId : null,
        priorAwards: f.priorAwards,
        raisedBy: viewer ? ref(actor.em.getReference(User, viewer.userId)) : null,
        raisedAt: at,
      }),
    );
  }
}

/** What a decision's audit entry adds when it raised fairness flags (nothing otherwise). */
export function flagsAudited(
  flags: readonly ProjectFairnessFlag[],
  rationale: string | null | undefined,
): Record<string, unknown> {
  if (flags.length === 0) return {};
  const audited: AuditedFlag[] = flags.map((f) => ({
    kind: f.kind,
    organizationId: f.organization ? toGlobalId('Organization', f.organization.id) : null,
    priorAwards: f.priorAwards ?? null,
  }));
  return { fairnessFlags: audited, fairnessRationale: rationale?.trim() ?? null };
}
