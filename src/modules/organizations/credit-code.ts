/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015) of a social organization.
 *
 * Layout of the 18 characters (positions counted from 1, as a person reads them):
 *
 * | position | meaning                                                                  |
 * |----------|--------------------------------------------------------------------------|
 * | 1        | registration authority: `5` = civil affairs (民政), which registers social organizations |
 * | 2        | kind under that authority: `1` social group, `2` social service agency, `3` foundation, `9` other |
 * | 3–8      | GB/T 2260 code of the registering administration's region                |
 * | 9–17     | the organization's body code (its former organization code)              |
 * | 18       | check character over positions 1–17                                      |
 *
 * Everything here is pure and dependency-free so it can run in services, seeds and tests alike.
 * A bad code typed by a user is an expected failure: {@link checkCreditCode} describes it and never
 * throws, so a resolver can turn the problem into a typed validation error instead of a crash.
 *
 * @module
 */

/**
 * The 31 symbols a credit code may use, in value order (`'0'` is 0, `'A'` is 10, `'Y'` is 30).
 *
 * I, O, S, V and Z are left out by the standard because they are easily confused with 1, 0, 5, U
 * and 2 when read or typed.
 */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** The kinds of social organization that civil affairs registers, as the platform names them. */
export type OrganizationKindCode = 'SOCIAL_GROUP' | 'SOCIAL_SERVICE_AGENCY' | 'FOUNDATION' | 'OTHER';

/**
 * Why a string is not an acceptable credit code for a social organization.
 *
 * `reason` is stable and meant for code (mapping to error codes, tests); `message` is a complete
 * English sentence meant to be shown to the person who typed the code.
 */
export type CreditCodeProblem = {
  reason:
    'LENGTH' | 'ALPHABET' | 'CHECK_CHARACTER' | 'NOT_CIVIL_AFFAIRS' | 'KIND_MISMATCH' | 'AUTHORITY_MISMATCH';
  message: string;
};

const CODE_LENGTH = 18;
const CHECKED_LENGTH = CODE_LENGTH - 1;
const MODULUS = CREDIT_CODE_ALPHABET.length; // 31, a prime: every weight is invertible, so any single wrong character changes the check
const BODY_LENGTH = 9;
const CIVIL_AFFAIRS = '5';

const VALUE_OF: ReadonlyMap<string, number> = new Map(
  Array.from(CREDIT_CODE_ALPHABET, (symbol, value) => [symbol, value] as const),
);

/** Weight of position i (0-based) is 3^i mod 31; computed once rather than written out so it cannot be mistyped. */
const WEIGHTS: readonly number[] = (() => {
  const weights: number[] = [];
  let weight = 1;
  for (let i = 0; i < CHECKED_LENGTH; i += 1) {
    weights.push(weight);
    weight = (weight * 3) % MODULUS;
  }
  return weights;
})();

const KIND_BY_CHAR: ReadonlyMap<string, OrganizationKindCode> = new Map([
  ['1', 'SOCIAL_GROUP'],
  ['2', 'SOCIAL_SERVICE_AGENCY'],
  ['3', 'FOUNDATION'],
  ['9', 'OTHER'],
]);

const CHAR_BY_KIND: Readonly<Record<OrganizationKindCode, string>> = {
  SOCIAL_GROUP: '1',
  SOCIAL_SERVICE_AGENCY: '2',
  FOUNDATION: '3',
  OTHER: '9',
};

/** How a kind reads inside a sentence ("… means a social group …"). */
const KIND_PHRASE: Readonly<Record<OrganizationKindCode, string>> = {
  SOCIAL_GROUP: 'a social group',
  SOCIAL_SERVICE_AGENCY: 'a social service agency',
  FOUNDATION: 'a foundation',
  OTHER: 'another kind of social organization',
};

/** Letters of A–Z that the standard never uses; named in the message because users type them most often. */
const NEVER_USED_LETTERS = new Set(['I', 'O', 'S', 'V', 'Z']);

/**
 * Normalises a credit code as a person might have typed or pasted it.
 *
 * - NFKC folds full-width digits and letters (`５１３７…`, common with Chinese input methods) into ASCII.
 * - Leading and trailing white space (including the ideographic space U+3000) is removed: pasting
 *   from a document or spreadsheet often brings it along.
 * - ASCII letters are upper-cased. Only ASCII, because `toUpperCase` on other letters can change the
 *   length (`ß` → `SS`), and the error message should name the character the user actually typed.
 *
 * White space inside the code is kept, so that it is reported rather than silently accepted.
 *
 * @param raw - the code as entered
 * @returns the normalised string (not necessarily a valid code)
 */
export function normaliseCreditCode(raw: string): string {
  return raw
    .normalize('NFKC')
    .trim()
    .replace(/[a-z]/g, (letter) => letter.toUpperCase());
}

/**
 * Computes the check character (position 18) for the first 17 characters of a credit code.
 *
 * Check value = (31 − (Σ value_i · 3^i mod 31) mod 31) mod 31, mapped back through
 * {@link CREDIT_CODE_ALPHABET}.
 *
 * This is strict on purpose: it is for code that builds codes (seeds, {@link makeCreditCode}) and
 * for {@link checkCreditCode} after it has validated its input. User input goes through
 * {@link checkCreditCode}, which never throws.
 *
 * @param first17 - exactly 17 characters of {@link CREDIT_CODE_ALPHABET}, already normalised
 * @returns the check character, one of {@link CREDIT_CODE_ALPHABET}
 * @throws RangeError if `first17` is not 17 characters long or contains a character outside the alphabet
 */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== CHECKED_LENGTH) {
    throw new RangeError(`creditCodeCheckChar needs ${CHECKED_LENGTH} characters, got ${first17.length}`);
  }
  let sum = 0;
  for (let i = 0; i < CHECKED_LENGTH; i += 1) {
    const char = first17.charAt(i);
    const value = VALUE_OF.get(char);
    const weight = WEIGHTS[i];
    if (value === undefined || weight === undefined) {
      throw new RangeError(
        `creditCodeCheckChar: character ${JSON.stringify(char)} at index ${i} is not in the alphabet`,
      );
    }
    sum += value * weight;
  }
  return CREDIT_CODE_ALPHABET.charAt((MODULUS - (sum % MODULUS)) % MODULUS);
}

/**
 * Reads the kind of social organization from a credit code's first two characters.
 *
 * The code is normalised first ({@link normaliseCreditCode}) but not otherwise validated: call
 * {@link checkCreditCode} to know whether the code is valid at all.
 *
 * @param code - a credit code, raw or normalised
 * @returns the kind, or `null` when the code is not a civil-affairs code (first character not `5`)
 *   or its second character is not one of `1`, `2`, `3`, `9`
 */
export function kindOfCreditCode(code: string): OrganizationKindCode | null {
  const normalised = normaliseCreditCode(code);
  if (normalised.charAt(0) !== CIVIL_AFFAIRS) return null;
  return KIND_BY_CHAR.get(normalised.charAt(1)) ?? null;
}

/**
 * Checks that a string is a valid unified social credit code of a social organization, and,
 * when `declaredKind` is given, that the code's kind matches it.
 *
 * The input is normalised first with {@link normaliseCreditCode} (full-width folded, trimmed,
 * ASCII letters upper-cased), so `' 52370200mjd123456a '` is accepted. Checks run in this order
 * and the first failure is reported: `LENGTH`, `ALPHABET`, `CHECK_CHARACTER`, `NOT_CIVIL_AFFAIRS`,
 * `KIND_MISMATCH`. The check character comes before the civil-affairs test because a code that
 * fails it is most likely mistyped, and "you mistyped a character" is the more useful message.
 *
 * `KIND_MISMATCH` is also reported without `declaredKind` when the second character is not a kind
 * that civil affairs registers (`1`, `2`, `3`, `9`): such a code cannot belong to a social
 * organization, and accepting it would leave {@link kindOfCreditCode} returning `null` for a
 * "valid" code.
 *
 * Positions in messages count from 1, as a person reads the code. Never throws for any string.
 *
 * @param raw - the code as entered by a user
 * @param declaredKind - the kind the organization says it is, if known
 * @returns `null` when the code is acceptable, otherwise the first problem found
 */
export function checkCreditCode(raw: string, declaredKind?: OrganizationKindCode): CreditCodeProblem | null {
  const code = normaliseCreditCode(raw);
  const formProblem = checkCodeForm(code);
  if (formProblem) return formProblem;

  const authority = code.charAt(0);
  if (authority !== CIVIL_AFFAIRS) {
    return {
      reason: 'NOT_CIVIL_AFFAIRS',
      message: `Social organizations' codes begin with 5 (registered by civil affairs), got '${authority}'.`,
    };
  }

  const kindChar = code.charAt(1);
  const kind = KIND_BY_CHAR.get(kindChar);
  if (kind === undefined) {
    return {
      reason: 'KIND_MISMATCH',
      message:
        `The second character '${kindChar}' is not a kind of social organization ` +
        '(1 social group, 2 social service agency, 3 foundation, 9 other).',
    };
  }
  if (declaredKind !== undefined && kind !== declaredKind) {
    return {
      reason: 'KIND_MISMATCH',
      message:
        `The second character '${kindChar}' means ${KIND_PHRASE[kind]}, ` +
        `but the organization is declared as ${KIND_PHRASE[declaredKind]}.`,
    };
  }

  return null;
}

/**
 * Length, alphabet and check character (GB 32100 rules every code follows, whoever registered it), in
 * that order; the first failure or null. `code` is already normalised.
 */
function checkCodeForm(code: string): CreditCodeProblem | null {
  // Count code points, not UTF-16 units, so "got 18" means 18 characters the user can see.
  const chars = Array.from(code);

  if (chars.length !== CODE_LENGTH) {
    return {
      reason: 'LENGTH',
      message: `A unified social credit code must be ${CODE_LENGTH} characters, got ${chars.length}.`,
    };
  }

  for (const [index, char] of chars.entries()) {
    if (!VALUE_OF.has(char)) {
      const why = NEVER_USED_LETTERS.has(char)
        ? 'I, O, S, V, Z are never used'
        : 'only the digits 0-9 and the letters A-Y other than I, O, S, V and Z are used';
      return {
        reason: 'ALPHABET',
        message: `${describeChar(char)} at position ${index + 1} is not allowed (${why}).`,
      };
    }
  }

  // Safe: length and alphabet were checked above, which is all creditCodeCheckChar requires.
  const expected = creditCodeCheckChar(code.slice(0, CHECKED_LENGTH));
  const actual = code.charAt(CHECKED_LENGTH);
  if (actual !== expected) {
    return {
      reason: 'CHECK_CHARACTER',
      message:
        `The check character (position ${CODE_LENGTH}) should be '${expected}' but is '${actual}': ` +
        'a character of the code is probably mistyped.',
    };
  }
  return null;
}

/**
 * What a credit code says about itself, as a reviewer reads it beside the registration: whether its
 * check character is right, the registration authority and kind it encodes, and the region of the
 * administration that registered it. Stored with the organization when it registers and whenever its
 * profile changes (`Organization.creditCodeCheck`), so the verification queue shows what the hub
 * found then rather than checking again in the browser.
 */
export interface CreditCodeFindings {
  /** Eighteen characters of the alphabet whose check character (position 18) is right. */
  checksumValid: boolean;
  /** The registration authority's character (position 1); null when the code is empty. */
  authorityCode: string | null;
  /** Whether that authority is civil affairs (`5`), which registers social organizations. */
  civilAffairs: boolean;
  /** The kind the code encodes (positions 1–2); null when it is not a social organization's. */
  kind: OrganizationKindCode | null;
  /** Positions 3–8: the GB/T 2260 code of the registering administration's region, when 6 digits. */
  registrationRegionCode: string | null;
  /**
   * The first problem {@link checkProviderCreditCode} finds against the declared provider kind (and,
   * for a social organization, its declared kind); null when none.
   */
  problem: CreditCodeProblem['reason'] | null;
}

/**
 * Reads every finding of {@link CreditCodeFindings} from a code and what the organization declared:
 * its provider kind (a social organization unless said otherwise) and, for a social organization,
 * its kind. Never throws.
 */
export function creditCodeFindings(
  raw: string,
  declaredKind: OrganizationKindCode | null,
  providerKind: CodedProviderKind = 'SOCIAL_ORGANIZATION',
): CreditCodeFindings {
  const code = normaliseCreditCode(raw);
  const chars = Array.from(code);
  const checksumValid =
    chars.length === CODE_LENGTH &&
    chars.every((char) => VALUE_OF.has(char)) &&
    creditCodeCheckChar(code.slice(0, CHECKED_LENGTH)) === code.charAt(CHECKED_LENGTH);
  const region = code.slice(2, 8);
  return {
    checksumValid,
    authorityCode: chars[0] ?? null,
    civilAffairs: chars[0] === CIVIL_AFFAIRS,
    kind: kindOfCreditCode(code),
    registrationRegionCode: /^\d{6}$/.test(region) ? region : null,
    problem: checkProviderCreditCode(code, providerKind, declaredKind ?? undefined)?.reason ?? null,
  };
}

/** Largest serial whose base-31 form fits the 9-character body. */
const MAX_SERIAL = MODULUS ** BODY_LENGTH - 1; // 26,439,622,160,670: well inside Number.MAX_SAFE_INTEGER

/**
 * Builds a deterministic, valid credit code for seeds and tests.
 *
 * Layout: `5` + the kind's character + `regionCode` + the serial written in base 31 with
 * {@link CREDIT_CODE_ALPHABET} digits, zero-padded to 9 characters + the check character.
 * Base-31 keeps the mapping one-to-one, so codes are unique per (kind, serial, regionCode).
 * The body is synthetic: real bodies carry their own GB 11714 check digit, which the platform
 * does not verify.
 *
 * @param kind - the kind of social organization
 * @param serial - a non-negative safe integer, at most 31^9 − 1
 * @param regionCode - a 6-digit GB/T 2260 code of the registering region; Jinan (370100) by default
 * @returns an 18-character code that {@link checkCreditCode} accepts for `kind`
 * @throws RangeError if `serial` or `regionCode` is out of range
 */
export function makeCreditCode(kind: OrganizationKindCode, serial: number, regionCode = '370100'): string {
  return codeOf(CIVIL_AFFAIRS + CHAR_BY_KIND[kind], serial, regionCode);
}

/** The first two characters + region + the serial in base 31 + the check character. */
function codeOf(prefix: string, serial: number, regionCode: string): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial > MAX_SERIAL) {
    throw new RangeError(`makeCreditCode: serial must be an integer from 0 to ${MAX_SERIAL}, got ${serial}`);
  }
  if (!/^\d{6}$/.test(regionCode)) {
    throw new RangeError(`makeCreditCode: regionCode must be 6 digits, got ${JSON.stringify(regionCode)}`);
  }
  let body = '';
  let rest = serial;
  for (let i = 0; i < BODY_LENGTH; i += 1) {
    body = CREDIT_CODE_ALPHABET.charAt(rest % MODULUS) + body;
    rest = Math.floor(rest / MODULUS);
  }
  const first17 = prefix + regionCode + body;
  return first17 + creditCodeCheckChar(first17);
}

// ── Provider kinds ──────────────────────────────────────────────────────────────────────────────

/**
 * The kinds of provider the platform enlists (`ProviderKind`, organization.enums.ts). A community
 * group (备案的社区社会组织) is only filed with a sponsoring hub and has no credit code; the others
 * are told apart by the code's registration authority (position 1). See docs/domain.md, "Providers".
 */
export type ProviderKindCode =
  'SOCIAL_ORGANIZATION' | 'CARING_ENTERPRISE' | 'PUBLIC_INSTITUTION' | 'COMMUNITY_GROUP';

/** The provider kinds that register with a credit code. */
export type CodedProviderKind = Exclude<ProviderKindCode, 'COMMUNITY_GROUP'>;

/**
 * Each coded kind's registration authority (position 1) and, for codes built by
 * {@link makeProviderCreditCode}, its usual second character.
 */
const AUTHORITY_OF_PROVIDER: Readonly<
  Record<CodedProviderKind, { authority: string; usual: string; phrase: string; authorityName: string }>
> = {
  SOCIAL_ORGANIZATION: {
    authority: '5',
    usual: '2',
    phrase: 'social organizations',
    authorityName: 'civil affairs',
  },
  CARING_ENTERPRISE: {
    authority: '9',
    usual: '1',
    phrase: 'enterprises',
    authorityName: 'market regulation',
  },
  // 1 = 机构编制 (the staffing authorities), 2 under it = 事业单位.
  PUBLIC_INSTITUTION: {
    authority: '1',
    usual: '2',
    phrase: 'public institutions',
    authorityName: 'the staffing authorities',
  },
};

/** Whether organizations of this kind register with a credit code (every kind but a community group). */
export function hasCreditCode(kind: ProviderKindCode): kind is CodedProviderKind {
  return kind !== 'COMMUNITY_GROUP';
}

/**
 * Checks a credit code against the provider kind it is registered as: the GB 32100 form and check
 * character for every kind, then the registration authority (position 1) the kind must have. A social
 * organization is checked exactly as {@link checkCreditCode} checks it (its second character against
 * `declaredKind` too); the other kinds' second characters are not checked. Never throws.
 *
 * @returns null when acceptable, else the first problem (`AUTHORITY_MISMATCH` for a wrong first
 *   character of a caring enterprise or a public institution)
 */
export function checkProviderCreditCode(
  raw: string,
  providerKind: CodedProviderKind,
  declaredKind?: OrganizationKindCode,
): CreditCodeProblem | null {
  if (providerKind === 'SOCIAL_ORGANIZATION') return checkCreditCode(raw, declaredKind);
  const code = normaliseCreditCode(raw);
  const formProblem = checkCodeForm(code);
  if (formProblem) return formProblem;
  const { authority, phrase, authorityName } = AUTHORITY_OF_PROVIDER[providerKind];
  const actual = code.charAt(0);
  if (actual !== authority) {
    return {
      reason: 'AUTHORITY_MISMATCH',
      message: `The codes of ${phrase} begin with ${authority} (registered by ${authorityName}), got '${actual}'.`,
    };
  }
  return null;
}

/**
 * Builds a deterministic, valid credit code of a provider kind for seeds and tests, as
 * {@link makeCreditCode} does (a social organization's is a social service agency's, 52…; a caring
 * enterprise's 91…, a public institution's 12…).
 */
export function makeProviderCreditCode(
  kind: CodedProviderKind,
  serial: number,
  regionCode = '370100',
): string {
  const { authority, usual } = AUTHORITY_OF_PROVIDER[kind];
  return codeOf(authority + usual, serial, regionCode);
}

/**
 * Names a character at the start of a message: quoted when it is visible, spelled out as a code
 * point when a reader could not see it in the quotes (tabs, zero-width spaces, control characters).
 */
function describeChar(char: string): string {
  if (char === ' ') return 'A space';
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)) return `Character '${char}'`;
  const codePoint = char.codePointAt(0) ?? 0;
  return `Character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
