import { describe, expect, it } from 'vitest';
import {
  checkProviderCreditCode,
  creditCodeCheckChar,
  creditCodeFindings,
  hasCreditCode,
  makeCreditCode,
  makeProviderCreditCode,
  type CodedProviderKind,
} from '../../../src/modules/organizations/credit-code.js';

/*
 * Each provider kind's rule: the GB 32100 check character for every coded kind, then the kind's
 * registration authority (position 1): 5 civil affairs (social organization), 9 market regulation
 * (caring enterprise), 1 the staffing authorities (public institution, 12… for 事业单位). A community
 * group has no code. Examples: a widely published enterprise code, and a public institution's
 * (both check characters computed by hand with the weights in credit-code.test.ts).
 */
const ENTERPRISE = '91350100M000100Y43';
const INSTITUTION = '12100000400000624D';
const SOCIAL = makeCreditCode('SOCIAL_SERVICE_AGENCY', 42);

const CODED: readonly CodedProviderKind[] = [
  'SOCIAL_ORGANIZATION',
  'CARING_ENTERPRISE',
  'PUBLIC_INSTITUTION',
];
const VALID: Record<CodedProviderKind, string> = {
  SOCIAL_ORGANIZATION: SOCIAL,
  CARING_ENTERPRISE: ENTERPRISE,
  PUBLIC_INSTITUTION: INSTITUTION,
};

/** The code with another first character and its check character fixed: only the authority is wrong. */
function withAuthority(code: string, authority: string): string {
  const first17 = authority + code.slice(1, 17);
  return first17 + creditCodeCheckChar(first17);
}

describe('checkProviderCreditCode', () => {
  it('accepts each kind’s own code, normalised as typed', () => {
    for (const kind of CODED) {
      expect(checkProviderCreditCode(VALID[kind], kind)).toBeNull();
      expect(checkProviderCreditCode(` ${VALID[kind].toLowerCase()} `, kind)).toBeNull();
    }
    expect(checkProviderCreditCode(SOCIAL, 'SOCIAL_ORGANIZATION', 'SOCIAL_SERVICE_AGENCY')).toBeNull();
  });

  it('refuses another kind’s first character: NOT_CIVIL_AFFAIRS for a social organization, AUTHORITY_MISMATCH for the others', () => {
    const expected: Record<CodedProviderKind, string> = {
      SOCIAL_ORGANIZATION: 'NOT_CIVIL_AFFAIRS',
      CARING_ENTERPRISE: 'AUTHORITY_MISMATCH',
      PUBLIC_INSTITUTION: 'AUTHORITY_MISMATCH',
    };
    for (const kind of CODED)
      for (const other of CODED.filter((k) => k !== kind)) {
        const problem = checkProviderCreditCode(VALID[other], kind);
        expect(problem?.reason, `${other}'s code as ${kind}`).toBe(expected[kind]);
      }
    expect(checkProviderCreditCode(withAuthority(ENTERPRISE, '5'), 'CARING_ENTERPRISE')?.message).toBe(
      "The codes of enterprises begin with 9 (registered by market regulation), got '5'.",
    );
    expect(checkProviderCreditCode(withAuthority(INSTITUTION, '9'), 'PUBLIC_INSTITUTION')?.reason).toBe(
      'AUTHORITY_MISMATCH',
    );
  });

  it('reports a wrong check character before the authority, for every kind', () => {
    for (const kind of CODED) {
      const code = VALID[kind];
      const wrong = code.slice(0, 17) + (code.charAt(17) === '0' ? '1' : '0');
      expect(checkProviderCreditCode(wrong, kind)?.reason).toBe('CHECK_CHARACTER');
      // A wrong check character on a code of the wrong kind is still reported as a typing mistake first.
      const otherKind = CODED.find((k) => k !== kind)!;
      expect(checkProviderCreditCode(wrong, otherKind)?.reason).toBe('CHECK_CHARACTER');
    }
  });

  it('checks length and alphabet for every kind', () => {
    for (const kind of CODED) {
      expect(checkProviderCreditCode(VALID[kind].slice(0, 17), kind)?.reason).toBe('LENGTH');
      expect(
        checkProviderCreditCode(`${VALID[kind].slice(0, 16)}I${VALID[kind].charAt(17)}`, kind)?.reason,
      ).toBe('ALPHABET');
    }
  });

  it('checks a social organization’s declared legal form, and no second character of the other kinds', () => {
    expect(checkProviderCreditCode(SOCIAL, 'SOCIAL_ORGANIZATION', 'FOUNDATION')?.reason).toBe(
      'KIND_MISMATCH',
    );
    // 92… (an individual business) is still market regulation's: only the authority is checked.
    const individual = '92370100000000001';
    expect(
      checkProviderCreditCode(individual + creditCodeCheckChar(individual), 'CARING_ENTERPRISE'),
    ).toBeNull();
  });

  it('never throws, whatever is typed', () => {
    for (const raw of ['', ' ', '９１３５０１００Ｍ０００１００Ｙ４３', '\u200b', 'x'.repeat(100)])
      for (const kind of CODED) expect(() => checkProviderCreditCode(raw, kind)).not.toThrow();
    expect(checkProviderCreditCode('９１３５０１００Ｍ０００１００Ｙ４３', 'CARING_ENTERPRISE')).toBeNull();
  });
});

describe('makeProviderCreditCode', () => {
  it('builds valid, distinct codes of each kind with its authority', () => {
    for (const kind of CODED) {
      const codes = new Set([0, 1, 30, 31, 961].map((serial) => makeProviderCreditCode(kind, serial)));
      expect(codes.size).toBe(5);
      for (const code of codes) expect(checkProviderCreditCode(code, kind)).toBeNull();
    }
    expect(makeProviderCreditCode('CARING_ENTERPRISE', 1)).toBe('91370100000000001W');
    expect(makeProviderCreditCode('PUBLIC_INSTITUTION', 1)).toBe('123701000000000012');
  });
});

describe('creditCodeFindings per kind', () => {
  it('finds no problem in each kind’s own code, and the authority in another’s', () => {
    expect(creditCodeFindings(ENTERPRISE, null, 'CARING_ENTERPRISE')).toMatchObject({
      checksumValid: true,
      authorityCode: '9',
      civilAffairs: false,
      kind: null,
      registrationRegionCode: '350100',
      problem: null,
    });
    expect(creditCodeFindings(INSTITUTION, null, 'PUBLIC_INSTITUTION').problem).toBeNull();
    expect(creditCodeFindings(ENTERPRISE, null, 'PUBLIC_INSTITUTION').problem).toBe('AUTHORITY_MISMATCH');
    // As the stored findings of existing organizations were computed: a social organization by default.
    expect(creditCodeFindings(ENTERPRISE, 'SOCIAL_GROUP').problem).toBe('NOT_CIVIL_AFFAIRS');
  });
});

describe('hasCreditCode', () => {
  it('is true for every kind but a community group', () => {
    expect(CODED.every(hasCreditCode)).toBe(true);
    expect(hasCreditCode('COMMUNITY_GROUP')).toBe(false);
  });
});
