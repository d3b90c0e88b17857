/**
 * Texts users write that are shown publicly with a project (complaints' grounds, responses and
 * rulings): pure, unit-tested in tests/unit/projects/public-text.test.ts.
 *
 * @module
 */

/** What a hidden phone number is shown as. */
export const HIDDEN_PHONE = '[电话已隐去]';

/**
 * Mainland mobiles (11 digits from 1[3-9], with or without +86 and spaces or hyphens in 3-4-4
 * groups) and landlines with an area code (0xx(x)-xxxxxxx(x)): digits next to more digits are left
 * alone, so amounts and dates are not taken for numbers.
 */
const PHONE = /(?<![\d])(?:(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}[\s-]?\d{7,8})(?![\d])/g;

/** The text with every phone number replaced by {@link HIDDEN_PHONE}. */
export function hidePhoneNumbers(text: string): string {
  return text.replace(PHONE, HIDDEN_PHONE);
}
