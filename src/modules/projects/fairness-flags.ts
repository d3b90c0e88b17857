/**
 * Which decisions raise a fairness flag (docs/domain.md, "Fairness flags"): pure functions over
 * facts the service loaded, so each rule is unit-tested alone.
 *
 * @module
 */
import type { FoundingType } from '../organizations/organization.enums.js';
import { FairnessFlagKind } from './fairness.enums.js';
import { ProcurementMethod } from './project.enums.js';

/** A flag to raise: its kind and, for award flags, the organization concerned. */
export interface RaisedFlag {
  kind: FairnessFlagKind;
  organizationId: number | null;
  priorAwards: number | null;
}

/** The repeat-winner rule's settings (FAIRNESS_REPEAT_WINNER_AWARDS, …_WINDOW_MONTHS). */
export interface RepeatWinnerRule {
  /** Prior awards from the same publisher at which a new award is flagged. */
  awards: number;
  /** How far back prior awards count. */
  windowMonths: number;
}

const flag = (
  kind: FairnessFlagKind,
  organizationId: number | null = null,
  priorAwards: number | null = null,
) => ({
  kind,
  organizationId,
  priorAwards,
});

/** At publication: a founding-type restriction and the DIRECT method. */
export function publicationFlags(project: {
  procurementMethod: ProcurementMethod;
  allowedFoundingTypes: readonly FoundingType[];
}): RaisedFlag[] {
  const flags: RaisedFlag[] = [];
  if (project.allowedFoundingTypes.length > 0) flags.push(flag(FairnessFlagKind.FOUNDING_TYPE_RESTRICTION));
  if (project.procurementMethod === ProcurementMethod.DIRECT)
    flags.push(flag(FairnessFlagKind.DIRECT_METHOD));
  return flags;
}

/**
 * At an amendment of a published project: a change of the founding types to a non-empty set (a new
 * restriction, or a different one). Lifting the restriction raises nothing. The method cannot change
 * after publication.
 */
export function amendmentFlags(changedFoundingTypes: readonly FoundingType[] | null): RaisedFlag[] {
  return changedFoundingTypes !== null && changedFoundingTypes.length > 0
    ? [flag(FairnessFlagKind.FOUNDING_TYPE_RESTRICTION)]
    : [];
}

/**
 * At the award: one applicant organization (withdrawn applications do not count), and each winner
 * that had already won `rule.awards` or more of the publisher's projects in the window.
 */
export function awardFlags(
  applicantIds: readonly number[],
  winners: readonly { organizationId: number; priorAwards: number }[],
  rule: RepeatWinnerRule,
): RaisedFlag[] {
  const flags: RaisedFlag[] = [];
  const applicants = [...new Set(applicantIds)];
  if (applicants.length === 1) flags.push(flag(FairnessFlagKind.SINGLE_APPLICANT, applicants[0]!));
  for (const w of winners)
    if (w.priorAwards >= rule.awards)
      flags.push(flag(FairnessFlagKind.REPEAT_WINNER, w.organizationId, w.priorAwards));
  return flags;
}

/** The sentence a refusal gives when a flagged step comes without its rationale. */
export function rationaleRequirement(flags: readonly RaisedFlag[]): string {
  const names: Record<FairnessFlagKind, string> = {
    [FairnessFlagKind.FOUNDING_TYPE_RESTRICTION]: 'eligibility restricted by founding type',
    [FairnessFlagKind.DIRECT_METHOD]: 'the DIRECT method',
    [FairnessFlagKind.SINGLE_APPLICANT]: 'an award when only one organization applied',
    [FairnessFlagKind.REPEAT_WINNER]: 'an award to a repeat winner of this publisher',
  };
  const kinds = [...new Set(flags.map((f) => names[f.kind]))];
  return `is required: this decision is flagged (${kinds.join('; ')})`;
}
