import { describe, it, expect } from 'vitest';
import {
  CREDIT_CODE_ALPHABET,
  checkCreditCode,
  creditCodeCheckChar,
  kindOfCreditCode,
  makeCreditCode,
  normaliseCreditCode,
  type CreditCodeProblem,
  type OrganizationKindCode,
} from '../../../src/modules/organizations/credit-code.js';

/*
 * Hand-verified examples. Alphabet values: 0-9 are 0-9, then A10 B11 C12 D13 E14 F15 G16 H17 J18
 * K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30. Weights 3^i mod 31 for i = 0..16:
 *   1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
 *
 * A) 51370100000000001? — a social group registered in Jinan (370100)
 *    5·1 + 1·3 + 3·9 + 7·27 + 0·19 + 1·26 + 0·16 + 0·17 + 0·20 + 0·29 + 0·25 + 0·13 + 0·8 + 0·24
 *    + 0·10 + 0·30 + 1·28 = 5 + 3 + 27 + 189 + 26 + 28 = 278
 *    278 mod 31 = 30 (31·8 = 248) → check = (31 − 30) mod 31 = 1 → '1'
 *
 * B) 52370200MJD123456? — a social service agency registered in Qingdao (370200), body like a real
 *    civil-affairs body ("MJD…")
 *    5·1 + 2·3 + 3·9 + 7·27 + 0·19 + 2·26 + 0·16 + 0·17 + M21·20 + J18·29 + D13·25 + 1·13 + 2·8
 *    + 3·24 + 4·10 + 5·30 + 6·28
 *    = 5 + 6 + 27 + 189 + 0 + 52 + 0 + 0 + 420 + 522 + 325 + 13 + 16 + 72 + 40 + 150 + 168 = 2005
 *    2005 mod 31 = 21 (31·64 = 1984) → check = 31 − 21 = 10 → 'A'
 *
 * C) 5937010000000000K? — "other" kind; the sum is a multiple of 31, which exercises the outer mod
 *    5·1 + 9·3 + 3·9 + 7·27 + 0·19 + 1·26 + 0 … + K19·28 = 5 + 27 + 27 + 189 + 26 + 532 = 806
 *    806 mod 31 = 0 (31·26 = 806) → check = (31 − 0) mod 31 = 0 → '0'
 */
const SOCIAL_GROUP_JINAN = '513701000000000011';
const SERVICE_AGENCY_QINGDAO = '52370200MJD123456A';
const OTHER_JINAN = '5937010000000000K0';

const KINDS: readonly OrganizationKindCode[] = [
  'SOCIAL_GROUP',
  'SOCIAL_SERVICE_AGENCY',
  'FOUNDATION',
  'OTHER',
];

/** Small seeded PRNG (mulberry32) so the fuzz loops are reproducible when they fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function replaceAt(code: string, index: number, char: string): string {
  return code.slice(0, index) + char + code.slice(index + 1);
}

describe('creditCodeCheckChar', () => {
  it('computes the hand-verified check characters', () => {
    expect(creditCodeCheckChar('51370100000000001')).toBe('1');
    expect(creditCodeCheckChar('52370200MJD123456')).toBe('A');
    expect(creditCodeCheckChar('5937010000000000K')).toBe('0');
  });

  it('throws RangeError for a wrong length or a character outside the alphabet', () => {
    expect(() => creditCodeCheckChar('5137010000000000')).toThrow(RangeError);
    expect(() => creditCodeCheckChar('513701000000000011')).toThrow(RangeError);
    expect(() => creditCodeCheckChar('5137010000000000I')).toThrow(RangeError);
    expect(() => creditCodeCheckChar('5137010000000000a')).toThrow(RangeError);
  });
});

describe('checkCreditCode', () => {
  it('accepts the hand-verified codes', () => {
    expect(checkCreditCode(SOCIAL_GROUP_JINAN)).toBeNull();
    expect(checkCreditCode(SERVICE_AGENCY_QINGDAO)).toBeNull();
    expect(checkCreditCode(OTHER_JINAN)).toBeNull();
  });

  it('accepts a code whose kind matches the declared kind', () => {
    expect(checkCreditCode(SOCIAL_GROUP_JINAN, 'SOCIAL_GROUP')).toBeNull();
    expect(checkCreditCode(SERVICE_AGENCY_QINGDAO, 'SOCIAL_SERVICE_AGENCY')).toBeNull();
    expect(checkCreditCode(OTHER_JINAN, 'OTHER')).toBeNull();
  });

  it('normalises lower case and surrounding white space before checking', () => {
    expect(checkCreditCode('52370200mjd123456a')).toBeNull();
    expect(checkCreditCode('  52370200Mjd123456a\t\n')).toBeNull();
    expect(normaliseCreditCode(' 52370200mjd123456a ')).toBe(SERVICE_AGENCY_QINGDAO);
  });

  it('folds full-width characters typed with a Chinese input method', () => {
    expect(normaliseCreditCode('５２３７０２００ＭＪＤ１２３４５６ａ')).toBe(SERVICE_AGENCY_QINGDAO);
    expect(checkCreditCode('\u3000５２３７０２００ＭＪＤ１２３４５６Ａ\u3000')).toBeNull();
  });

  it('reports LENGTH with the number of characters it got', () => {
    const problem = checkCreditCode(SOCIAL_GROUP_JINAN.slice(0, 17));
    expect(problem?.reason).toBe('LENGTH');
    expect(problem?.message).toMatch(/must be 18 characters, got 17/);
    expect(checkCreditCode('')?.message).toMatch(/got 0/);
    expect(checkCreditCode(`${SOCIAL_GROUP_JINAN}0`)?.reason).toBe('LENGTH');
  });

  it('counts characters, not UTF-16 units, for LENGTH', () => {
    // 17 visible characters plus one emoji (two UTF-16 units) is 18 characters: an alphabet problem, not a length one.
    const problem = checkCreditCode(`${SOCIAL_GROUP_JINAN.slice(0, 17)}😀`);
    expect(problem?.reason).toBe('ALPHABET');
    expect(problem?.message).toMatch(/'😀' at position 18/);
  });

  it('reports ALPHABET for letters the standard never uses, naming character and position', () => {
    const problem = checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 4, 'I'));
    expect(problem?.reason).toBe('ALPHABET');
    expect(problem?.message).toMatch(/'I' at position 5 is not allowed \(I, O, S, V, Z are never used\)/);
    for (const letter of ['O', 'S', 'V', 'Z', 'o', 's']) {
      expect(checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 10, letter))?.reason).toBe('ALPHABET');
    }
  });

  it('reports ALPHABET for punctuation, inner spaces and invisible characters', () => {
    expect(checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 8, '-'))?.message).toMatch(/'-' at position 9/);
    expect(checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 8, ' '))?.message).toMatch(/^A space at position 9/);
    expect(checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 8, '\u200b'))?.message).toMatch(
      /U\+200B at position 9/,
    );
    expect(checkCreditCode(replaceAt(SOCIAL_GROUP_JINAN, 8, '中'))?.reason).toBe('ALPHABET');
  });

  it('reports CHECK_CHARACTER with the expected and the actual character', () => {
    const problem = checkCreditCode(replaceAt(SERVICE_AGENCY_QINGDAO, 17, 'B'));
    expect(problem?.reason).toBe('CHECK_CHARACTER');
    expect(problem?.message).toMatch(/should be 'A' but is 'B'/);
  });

  it('reports NOT_CIVIL_AFFAIRS for a valid code registered by another authority', () => {
    // An enterprise code (9 = market regulation, 1 = company) with a correct check character.
    const first17 = '91370100MA3C00001';
    const problem = checkCreditCode(first17 + creditCodeCheckChar(first17));
    expect(problem?.reason).toBe('NOT_CIVIL_AFFAIRS');
    expect(problem?.message).toMatch(/begin with 5 \(registered by civil affairs\), got '9'/);
  });

  it('reports KIND_MISMATCH when the code is of another kind than declared', () => {
    const problem = checkCreditCode(SOCIAL_GROUP_JINAN, 'FOUNDATION');
    expect(problem?.reason).toBe('KIND_MISMATCH');
    expect(problem?.message).toMatch(
      /'1' means a social group, but the organization is declared as a foundation/,
    );
  });

  it('reports KIND_MISMATCH, even with no declared kind, when the second character is no civil-affairs kind', () => {
    const first17 = '54370100000000001';
    const code = first17 + creditCodeCheckChar(first17);
    expect(checkCreditCode(code)?.reason).toBe('KIND_MISMATCH');
    expect(checkCreditCode(code, 'SOCIAL_GROUP')?.reason).toBe('KIND_MISMATCH');
    expect(kindOfCreditCode(code)).toBeNull();
  });

  it('reports the first problem in the documented order', () => {
    // Too short and with a bad letter: LENGTH wins.
    expect(checkCreditCode('5I')?.reason).toBe('LENGTH');
    // Bad letter and a wrong check character: ALPHABET wins.
    expect(checkCreditCode(replaceAt(replaceAt(SOCIAL_GROUP_JINAN, 3, 'Z'), 17, '2'))?.reason).toBe(
      'ALPHABET',
    );
    // Not civil affairs and a wrong check character: CHECK_CHARACTER wins.
    expect(checkCreditCode('913701000000000010')?.reason).toBe('CHECK_CHARACTER');
    // Not civil affairs with a declared kind: NOT_CIVIL_AFFAIRS wins over KIND_MISMATCH.
    const first17 = '91370100000000001';
    expect(checkCreditCode(first17 + creditCodeCheckChar(first17), 'FOUNDATION')?.reason).toBe(
      'NOT_CIVIL_AFFAIRS',
    );
  });

  it('detects every single-character substitution in the first 17 positions', () => {
    for (const valid of [SOCIAL_GROUP_JINAN, SERVICE_AGENCY_QINGDAO, OTHER_JINAN]) {
      for (let index = 0; index < 17; index += 1) {
        for (const symbol of CREDIT_CODE_ALPHABET) {
          if (symbol === valid.charAt(index)) continue;
          const mutated = replaceAt(valid, index, symbol);
          expect(checkCreditCode(mutated)?.reason, `${mutated} (position ${index + 1})`).toBe(
            'CHECK_CHARACTER',
          );
        }
      }
    }
  });

  it('detects every swap of two different adjacent characters', () => {
    // Weights of neighbouring positions differ mod 31, so a transposition always changes the sum.
    for (const valid of [SOCIAL_GROUP_JINAN, SERVICE_AGENCY_QINGDAO, OTHER_JINAN]) {
      for (let index = 0; index < 16; index += 1) {
        const a = valid.charAt(index);
        const b = valid.charAt(index + 1);
        if (a === b) continue;
        const swapped = valid.slice(0, index) + b + a + valid.slice(index + 2);
        expect(checkCreditCode(swapped)?.reason, swapped).toBe('CHECK_CHARACTER');
      }
    }
  });

  it('never throws, whatever string it is given', () => {
    const random = seededRandom(20240601);
    const pool = [
      ...CREDIT_CODE_ALPHABET,
      ...'abcxyzIOSVZiosvz -_./\t\n\r',
      '中',
      '５',
      'ａ',
      'ß',
      'ﬁ',
      '😀',
      '\u0000',
      '\u200b',
      '\u3000',
      '\ud800', // lone high surrogate
      '\udc00', // lone low surrogate
      '\u0301', // combining accent
    ];
    const reasons = new Set<string>();
    for (let round = 0; round < 5000; round += 1) {
      const length = Math.floor(random() * 24);
      let text = '';
      for (let i = 0; i < length; i += 1) text += pool[Math.floor(random() * pool.length)] ?? '';
      // Half the time start from a plausible social-organization prefix so the later checks run too.
      if (round % 2 === 0) text = `5${'1239'.charAt(Math.floor(random() * 4))}${text}`;
      const kind = round % 3 === 0 ? KINDS[round % KINDS.length] : undefined;
      let problem: CreditCodeProblem | null;
      try {
        problem = checkCreditCode(text, kind);
      } catch (error) {
        throw new Error(`checkCreditCode threw for ${JSON.stringify(text)}: ${String(error)}`);
      }
      if (problem !== null) {
        reasons.add(problem.reason);
        expect(problem.message.length).toBeGreaterThan(10);
      }
      expect(() => kindOfCreditCode(text)).not.toThrow();
    }
    expect(reasons).toContain('LENGTH');
    expect(reasons).toContain('ALPHABET');
  });

  it('never throws for random 18-character strings over the alphabet, and accepts only a correct check character', () => {
    const random = seededRandom(7);
    let accepted = 0;
    for (let round = 0; round < 3000; round += 1) {
      let text = '5';
      for (let i = 1; i < 18; i += 1) text += CREDIT_CODE_ALPHABET.charAt(Math.floor(random() * 31));
      const problem = checkCreditCode(text);
      const checkIsRight = creditCodeCheckChar(text.slice(0, 17)) === text.charAt(17);
      if (!checkIsRight) expect(problem?.reason).toBe('CHECK_CHARACTER');
      if (problem === null) accepted += 1;
    }
    // Roughly 1 in 31 has the right check character and of those 4 in 31 a civil-affairs kind: rare but not impossible.
    expect(accepted).toBeLessThan(30);
  });
});

describe('kindOfCreditCode', () => {
  it('reads the kind from the second character', () => {
    expect(kindOfCreditCode(SOCIAL_GROUP_JINAN)).toBe('SOCIAL_GROUP');
    expect(kindOfCreditCode(SERVICE_AGENCY_QINGDAO)).toBe('SOCIAL_SERVICE_AGENCY');
    expect(kindOfCreditCode(OTHER_JINAN)).toBe('OTHER');
    expect(kindOfCreditCode(' 53371000mjx00000y3')).toBe('FOUNDATION');
  });

  it('returns null for codes not registered by civil affairs and for too-short input', () => {
    expect(kindOfCreditCode('91370100MA3C000010')).toBeNull();
    expect(kindOfCreditCode('5')).toBeNull();
    expect(kindOfCreditCode('')).toBeNull();
  });
});

describe('makeCreditCode', () => {
  it('builds the hand-verified code for serial 1 of a Jinan social group', () => {
    expect(makeCreditCode('SOCIAL_GROUP', 1)).toBe(SOCIAL_GROUP_JINAN);
  });

  it('builds valid codes of the requested kind, unique for 1000 serials of every kind', () => {
    const seen = new Set<string>();
    for (const kind of KINDS) {
      for (let serial = 0; serial < 1000; serial += 1) {
        const code = makeCreditCode(kind, serial);
        expect(code).toHaveLength(18);
        expect(checkCreditCode(code, kind), code).toBeNull();
        expect(kindOfCreditCode(code)).toBe(kind);
        seen.add(code);
      }
    }
    expect(seen.size).toBe(KINDS.length * 1000);
  });

  it('puts the region code in positions 3 to 8 and keeps codes unique across regions', () => {
    const jinan = makeCreditCode('FOUNDATION', 42, '370100');
    const heze = makeCreditCode('FOUNDATION', 42, '371700');
    expect(jinan.slice(2, 8)).toBe('370100');
    expect(heze.slice(2, 8)).toBe('371700');
    expect(jinan).not.toBe(heze);
    expect(checkCreditCode(heze, 'FOUNDATION')).toBeNull();
  });

  it('handles the largest serial', () => {
    const code = makeCreditCode('OTHER', 31 ** 9 - 1);
    expect(code.slice(8, 17)).toBe('YYYYYYYYY');
    expect(checkCreditCode(code, 'OTHER')).toBeNull();
  });

  it('throws RangeError for a serial or region code out of range', () => {
    expect(() => makeCreditCode('SOCIAL_GROUP', -1)).toThrow(RangeError);
    expect(() => makeCreditCode('SOCIAL_GROUP', 1.5)).toThrow(RangeError);
    expect(() => makeCreditCode('SOCIAL_GROUP', 31 ** 9)).toThrow(RangeError);
    expect(() => makeCreditCode('SOCIAL_GROUP', Number.NaN)).toThrow(RangeError);
    expect(() => makeCreditCode('SOCIAL_GROUP', 1, '3701')).toThrow(RangeError);
    expect(() => makeCreditCode('SOCIAL_GROUP', 1, '37010A')).toThrow(RangeError);
  });
});
