import { BadUserInputError, type FieldProblem } from '../../core/errors.js';
import type { CriterionScore } from './application.entity.js';
import type { AwardCriterion } from './project.entity.js';

/*
 * Award criteria and the weighted score (docs/domain.md, "Award criteria"). Pure: the checks of the
 * criteria a publisher declares and of the scores its staff give, and the arithmetic.
 */

/** The sum the weights of a project's criteria must reach: each weight is a percent. */
export const WEIGHT_TOTAL = 100;

/**
 * The criteria as stored, or BAD_USER_INPUT naming every problem: a blank or repeated name (names
 * compare as written, after the free-text normalisation of the input), weights not summing to 100.
 * An empty list declares no criteria.
 */
export function checkCriteria(
  input: readonly { name: string; description?: string | null; weight: number }[],
  path: string,
): AwardCriterion[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  input.forEach((criterion, i) => {
    if (!criterion.name.trim()) problems.push({ path: `${path}.${i}.name`, message: 'must not be blank' });
    else if (seen.has(criterion.name))
      problems.push({ path: `${path}.${i}.name`, message: `names criterion “${criterion.name}” twice` });
    seen.add(criterion.name);
  });
  const total = input.reduce((sum, c) => sum + c.weight, 0);
  if (input.length > 0 && total !== WEIGHT_TOTAL)
    problems.push({ path, message: `the weights sum to ${total}, not ${WEIGHT_TOTAL}` });
  if (problems.length) throw new BadUserInputError(problems);
  return input.map((c) => ({ name: c.name, description: c.description || null, weight: c.weight }));
}

/**
 * The scores as stored, in the criteria's order, with the weighted score in hundredths (Σ score ×
 * weight: exact integers, 0 to 10,000), or BAD_USER_INPUT: a criterion unknown or scored twice, or
 * one not scored.
 */
export function checkScores(
  criteria: readonly AwardCriterion[],
  input: readonly { criterion: string; score: number; comment?: string | null }[],
  path: string,
): { scores: CriterionScore[]; weightedScoreCenti: number } {
  const problems: FieldProblem[] = [];
  const given = new Map<string, { score: number; comment: string | null }>();
  input.forEach((s, i) => {
    if (!criteria.some((c) => c.name === s.criterion))
      problems.push({ path: `${path}.${i}.criterion`, message: `no criterion is named “${s.criterion}”` });
    else if (given.has(s.criterion))
      problems.push({ path: `${path}.${i}.criterion`, message: `scores “${s.criterion}” twice` });
    else given.set(s.criterion, { score: s.score, comment: s.comment || null });
  });
  const missing = criteria.filter((c) => !given.has(c.name)).map((c) => `“${c.name}”`);
  if (missing.length)
    problems.push({ path, message: `must score every criterion; missing ${missing.join(', ')}` });
  if (problems.length) throw new BadUserInputError(problems);
  const scores = criteria.map((c) => ({ criterion: c.name, ...given.get(c.name)! }));
  const weightedScoreCenti = criteria.reduce((sum, c) => sum + c.weight * given.get(c.name)!.score, 0);
  return { scores, weightedScoreCenti };
}

/** Whether two lists of criteria say the same (what an edit compares). */
export function sameCriteria(a: readonly AwardCriterion[], b: readonly AwardCriterion[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
