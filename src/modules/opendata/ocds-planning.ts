/**
 * The planning stage and the award criteria of a contracting process (OCDS 1.1.5, no extension):
 *
 * | what                   | where in the releases                                                   |
 * |------------------------|-------------------------------------------------------------------------|
 * | a plan (`planProject`) | a `planning` release at its announcement (tender status `planning`, the expected period), and `planning.budget` (the expected budget) in every release |
 * | award criteria         | `tender.awardCriteria` `ratedCriteria` and `awardCriteriaDetails` (each criterion and weight), as they stood at each release |
 * | award justification    | each award's `description`                                              |
 *
 * A plan cancelled before it became a tender has no tender release: its releases are the planning one
 * and the cancellation.
 *
 * @module
 */
import type { Project, ProjectAmendment, AwardCriterion } from '../projects/project.entity.js';
import { ProjectStatus } from '../projects/project.enums.js';

/** What this file reads and writes of a release (ocds.ts's `OcdsRelease`, which imports this file). */
interface ReleaseShape {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  tender: Record<string, unknown> & { id: string; status: string };
  awards?: Record<string, unknown>[];
}

/** How amendments of the criteria are named in `tender.amendments[].description` (ocds.ts). */
export const PLANNING_FIELD_NAMES: Readonly<Record<string, string>> = {
  criteria: '评分标准 (award criteria)',
  status: '状态 (status: the application period reopened)',
};

function criteriaDetails(criteria: readonly AwardCriterion[]): string {
  return criteria.map((c) => `${c.name} ${c.weight}%${c.description ? `: ${c.description}` : ''}`).join('; ');
}

/**
 * The criteria in force at each release: the tender release had them before every amendment, an
 * amendment release after it, and every later release as they are now.
 */
function criteriaByRelease(
  ocid: string,
  project: Project,
  amendments: readonly ProjectAmendment[],
): (releaseId: string) => readonly AwardCriterion[] {
  const states: AwardCriterion[][] = [project.criteria];
  for (const amendment of [...amendments].reverse()) {
    const change = amendment.changes.criteria;
    states.unshift(change ? (change.from as AwardCriterion[]) : states[0]!);
  }
  const byId = new Map<string, AwardCriterion[]>([[`${ocid}-tender`, states[0]!]]);
  amendments.forEach((a, i) => byId.set(`${ocid}-amendment-${a.id}`, states[i + 1]!));
  return (releaseId) => byId.get(releaseId) ?? project.criteria;
}

/**
 * The releases of one project (`releasesOf`) with its planning stage and award criteria added, as
 * the table above says.
 */
export function withPlanningAndCriteria<R extends ReleaseShape>(
  releases: R[],
  project: Project,
  amendments: readonly ProjectAmendment[],
  /** ocds.ts's `value`: fen → an OCDS Value. */
  value: (fen: number) => unknown,
): R[] {
  if (releases.length === 0) return releases;
  const ocid = releases[0]!.ocid;
  const criteriaAt = criteriaByRelease(ocid, project, amendments);
  const justification = project.awardJustification ?? undefined;
  const out = releases.map((release) => {
    const criteria = criteriaAt(release.id);
    return {
      ...release,
      tender: {
        ...release.tender,
        ...(criteria.length
          ? { awardCriteria: 'ratedCriteria', awardCriteriaDetails: criteriaDetails(criteria) }
          : {}),
      },
      ...(release.awards && justification
        ? { awards: release.awards.map((award) => ({ ...award, description: justification })) }
        : {}),
    };
  });
  const plan = project.plan;
  if (!plan) return out;
  const planning = {
    budget: {
      description: '预计预算 (expected budget, announced with the plan)',
      amount: value(plan.budgetFen),
    },
  };
  const withPlanning = out.map((release) => ({ ...release, planning }));
  const neverTendered = project.status === ProjectStatus.PLANNED || project.publishedAt == null;
  const first = withPlanning[0]!;
  const planningRelease: R = {
    ...first,
    id: `${ocid}-planning`,
    date: plan.announcedAt,
    tag: ['planning'],
    tender: {
      id: first.tender.id,
      title: first.tender.title,
      status: 'planning',
      value: value(plan.budgetFen),
      procurementMethod: first.tender.procurementMethod,
      mainProcurementCategory: 'services',
      tenderPeriod: { startDate: plan.applicationOpensAt, endDate: plan.applicationClosesAt },
      procuringEntity: first.tender.procuringEntity,
      items: first.tender.items,
    },
  };
  // A plan that never became a tender has no tender (nor period) release; its cancellation stays.
  const rest = neverTendered
    ? withPlanning.filter((r) => r.tag.includes('tenderCancellation'))
    : withPlanning;
  return [planningRelease, ...rest];
}
