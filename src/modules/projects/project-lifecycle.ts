import { ProjectStatus } from './project.enums.js';

/**
 * The project state machine as data: for each status, the statuses it may move to. Pure (no ORM, no
 * clock) so the whole table is unit-tested and every mutation consults the same rules.
 */
export const PROJECT_TRANSITIONS: Readonly<Record<ProjectStatus, readonly ProjectStatus[]>> = {
  [ProjectStatus.DRAFT]: [ProjectStatus.PLANNED, ProjectStatus.PUBLISHED, ProjectStatus.CANCELLED],
  // A plan is announced to be published as a tender later (docs/domain.md, "Plans"); never applied to.
  [ProjectStatus.PLANNED]: [ProjectStatus.PUBLISHED, ProjectStatus.CANCELLED],
  // EVALUATING is reached by time (the period closes), never by a client asking for it.
  [ProjectStatus.PUBLISHED]: [ProjectStatus.EVALUATING, ProjectStatus.CANCELLED],
  // Back to PUBLISHED only by an amendment that changes the award criteria and reopens the period.
  [ProjectStatus.EVALUATING]: [
    ProjectStatus.AWARDED,
    ProjectStatus.UNSUCCESSFUL,
    ProjectStatus.CANCELLED,
    ProjectStatus.PUBLISHED,
  ],
  // Back to EVALUATING only by an upheld complaint's ruling (`ruleOnComplaint`), which suspends the
  // award; no mutation of the publisher's asks for it (docs/domain.md, "Clarifications and complaints").
  [ProjectStatus.AWARDED]: [ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED, ProjectStatus.EVALUATING],
  // A contract may still be terminated during delivery (OCDS "terminated"): recorded as CANCELLED.
  [ProjectStatus.IN_PROGRESS]: [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED],
  [ProjectStatus.COMPLETED]: [],
  [ProjectStatus.CANCELLED]: [],
  [ProjectStatus.UNSUCCESSFUL]: [],
};

/**
 * The status as of `now`: a PUBLISHED project whose application period has closed is EVALUATING,
 * whether or not the close has been written yet. The write (audited, evented) is
 * `closeApplicationPeriods` (project-transitions.ts), run by the sweep and inside every mutation
 * that depends on it; reads present the status by the clock and never write.
 */
export function projectStatusAt(
  project: { status: ProjectStatus; applicationClosesAt: Date },
  now: Date,
): ProjectStatus {
  return project.status === ProjectStatus.PUBLISHED && project.applicationClosesAt <= now
    ? ProjectStatus.EVALUATING
    : project.status;
}

/** Whether a project in `from` may move to `to`. */
export function canTransition(from: ProjectStatus, to: ProjectStatus): boolean {
  return PROJECT_TRANSITIONS[from].includes(to);
}

/** Statuses no transition leaves. */
export function isFinal(status: ProjectStatus): boolean {
  return PROJECT_TRANSITIONS[status].length === 0;
}

/**
 * The statuses from which a project may move to `to`: the `status in (...)` guard of the conditional
 * UPDATEs that make concurrent transitions safe (the row changes only if it is still in one of them).
 */
export function statusesThatMayBecome(to: ProjectStatus): ProjectStatus[] {
  return (Object.keys(PROJECT_TRANSITIONS) as ProjectStatus[]).filter((from) => canTransition(from, to));
}

/** Statuses in which the project is public: everything but the publisher's own drafts. */
export function isPublicStatus(status: ProjectStatus): boolean {
  return status !== ProjectStatus.DRAFT;
}

/** Statuses in which the award (winners and amounts) has been decided and is public. */
export const AWARD_DECIDED_STATUSES: readonly ProjectStatus[] = [
  ProjectStatus.AWARDED,
  ProjectStatus.IN_PROGRESS,
  ProjectStatus.COMPLETED,
];

/**
 * Statuses in which the winning organization reports which linked demands it fulfilled: during
 * delivery (demand by demand, as each is served) and after completion (the final report).
 */
export const DEMAND_REPORT_STATUSES: readonly ProjectStatus[] = [
  ProjectStatus.IN_PROGRESS,
  ProjectStatus.COMPLETED,
];
