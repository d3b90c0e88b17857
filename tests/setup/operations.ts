import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app.js';

/**
 * The GraphQL operations many test files send, written once. A test that checks a particular
 * selection (fields, errors of its own) still writes its own document.
 */

/** Submits a demand; selects its id and title. */
export const SUBMIT_DEMAND = `mutation SubmitDemand($input: SubmitDemandInput!) {
  submitDemand(input: $input) { demand { id title } }
}`;

/** A valid `SubmitDemandInput`: childcare (LIFE.CHILDCARE) in Lixia, Jinan (370102), with a unique title. */
export function demandInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: `托育需求 ${randomBytes(4).toString('hex')}`,
    description: '双职工家庭需要课后托管服务',
    categoryCode: 'LIFE.CHILDCARE',
    regionCode: '370102',
    ...overrides,
  };
}

/** Submits `demandInput(overrides)` as the holder of `token`; fails the test on any error. */
export async function submitDemand(
  t: Pick<TestApp, 'data'>,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; title: string }> {
  const { submitDemand: submitted } = await t.data<{
    submitDemand: { demand: { id: string; title: string } };
  }>(SUBMIT_DEMAND, { input: demandInput(overrides) }, token);
  return submitted.demand;
}
