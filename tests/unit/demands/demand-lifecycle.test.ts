import { describe, expect, it } from 'vitest';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import {
  canTransition,
  DEMAND_TRANSITIONS,
  isFinal,
  statusesThatMayBecome,
} from '../../../src/modules/demands/demand-lifecycle.js';

const S = DemandStatus;

describe('demand lifecycle', () => {
  it('follows OPEN → CLAIMED → IN_SERVICE → FULFILLED → CLOSED', () => {
    expect(canTransition(S.OPEN, S.CLAIMED)).toBe(true);
    expect(canTransition(S.CLAIMED, S.IN_SERVICE)).toBe(true);
    expect(canTransition(S.IN_SERVICE, S.FULFILLED)).toBe(true);
    expect(canTransition(S.FULFILLED, S.CLOSED)).toBe(true);
  });

  it('lets a claim be released or lapse back to OPEN', () => {
    expect(canTransition(S.CLAIMED, S.OPEN)).toBe(true);
    expect(canTransition(S.IN_SERVICE, S.OPEN)).toBe(true);
  });

  it('expires only OPEN demands and closes duplicates only before service starts', () => {
    expect(statusesThatMayBecome(S.EXPIRED)).toEqual([S.OPEN]);
    expect(statusesThatMayBecome(S.CLOSED_DUPLICATE).sort()).toEqual([S.CLAIMED, S.OPEN].sort());
  });

  it('refuses to claim anything but an OPEN demand', () => {
    expect(statusesThatMayBecome(S.CLAIMED)).toEqual([S.OPEN]);
  });

  it('never leaves a final status', () => {
    for (const status of [S.CLOSED, S.WITHDRAWN, S.EXPIRED, S.CLOSED_DUPLICATE]) {
      expect(isFinal(status)).toBe(true);
      for (const to of Object.values(S)) expect(canTransition(status, to)).toBe(false);
    }
  });

  it('has no self-transitions and lists every status', () => {
    expect(Object.keys(DEMAND_TRANSITIONS).sort()).toEqual(Object.values(S).sort());
    for (const status of Object.values(S)) expect(canTransition(status, status)).toBe(false);
  });

  it('does not let a fulfilled demand be withdrawn or reopened', () => {
    expect(canTransition(S.FULFILLED, S.WITHDRAWN)).toBe(false);
    expect(canTransition(S.FULFILLED, S.OPEN)).toBe(false);
  });
});
