import type { ErrorTextOptions } from '../shared/errors.js';

/** A category's or region's name in the user's language: the English one unless the language is Chinese. */
export const nameOf = (named: { name: string; nameEn: string }, language: string): string =>
  language.startsWith('zh') ? named.name : named.nameEn;

/** The organization screens' hints for invalid fields (`org.fieldErrors.<field>`), before the shared ones. */
export const ORG_ERRORS: ErrorTextOptions = { fieldHints: ['org.fieldErrors'] };
