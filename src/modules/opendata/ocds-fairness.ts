/**
 * The fairness flags (docs/domain.md, "Fairness flags") in the OCDS releases, as the additional field
 * `x_niudai_fairnessFlags` (OCDS's `x_` prefix for a publisher's own fields; docs/api.md, "Open
 * data"): the flags of the tender (founding-type restriction, DIRECT method) on `tender`, those of
 * the award (single applicant, repeat winner) on the award of the organization they concern. A
 * release carries the flags raised at or before its date, so each release shows the process as it
 * stood; the flag's `id` lets the compiled release merge them.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { FairnessFlagStep } from '../projects/fairness.enums.js';
import { ProjectFairnessFlag } from '../projects/fairness-flag.entity.js';

/** What these functions read and extend of an OCDS release (ocds.ts's `OcdsRelease`). */
interface ReleaseParts {
  date: string;
  tender: Record<string, unknown>;
  awards?: Record<string, unknown>[];
}

/** The additional field's name, on `tender` and on `awards[]`. */
export const FAIRNESS_FLAGS_FIELD = 'x_niudai_fairnessFlags';

/** The flags of a batch of projects, by project id, oldest first (one query). */
export async function fairnessFlagsOf(
  em: EntityManager,
  projectIds: readonly number[],
): Promise<Map<number, ProjectFairnessFlag[]>> {
  const flags = await em.find(
    ProjectFairnessFlag,
    { project: { $in: [...projectIds] } },
    { populate: ['organization'], orderBy: { id: 'asc' } },
  );
  const byProject = new Map<number, ProjectFairnessFlag[]>();
  for (const flag of flags) byProject.set(flag.project.id, [...(byProject.get(flag.project.id) ?? []), flag]);
  return byProject;
}

/** Adds each release's flags to its tender and awards; releases without flags are left as they are. */
export function withFairnessFlags<R extends ReleaseParts>(
  releases: R[],
  flags: readonly ProjectFairnessFlag[] = [],
): R[] {
  if (flags.length === 0) return releases;
  for (const release of releases) {
    const date = new Date(release.date).getTime();
    const raised = flags.filter((f) => f.raisedAt.getTime() <= date);
    const ofTender = raised.filter((f) => f.step !== FairnessFlagStep.AWARD);
    if (ofTender.length) release.tender[FAIRNESS_FLAGS_FIELD] = ofTender.map(exported);
    for (const award of release.awards ?? []) {
      const supplierIds = ((award.suppliers ?? []) as { id: string }[]).map((s) => s.id);
      const ofAward = raised.filter(
        (f) =>
          f.step === FairnessFlagStep.AWARD &&
          f.organization &&
          supplierIds.includes(f.organization.getEntity().openDataId),
      );
      if (ofAward.length) award[FAIRNESS_FLAGS_FIELD] = ofAward.map(exported);
    }
  }
  return releases;
}

function exported(flag: ProjectFairnessFlag): Record<string, unknown> {
  return {
    id: String(flag.id),
    kind: flag.kind,
    date: flag.raisedAt.toISOString(),
    rationale: flag.rationale,
    ...(flag.priorAwards != null ? { priorAwards: flag.priorAwards } : {}),
  };
}
