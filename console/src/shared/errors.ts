import { useCallback, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api.js';

/** A form field's name as antd / antd-mobile forms take it: `['contact']`, `['items', 0, 'name']`. */
export type FieldName = (string | number)[];

/** What both antd's and antd-mobile's form instances offer for placing errors. */
export interface FieldErrorTarget {
  setFields(fields: { name: FieldName; errors: string[] }[]): void;
  /** The values of the fields the form has now (a field left empty included, as undefined). */
  getFieldsValue(): object;
}

export interface ErrorTextOptions {
  /** Translation key prefixes with field hints, tried in order before `common.errors.fields`. */
  fieldHints?: string[];
  /** A message key per error code for this operation, e.g. `{ CONFLICT: 'worker.signUp.conflict' }`. */
  codes?: Record<string, string>;
}

/**
 * The form field an API path names: the operation's argument (`input`, `filter`) is dropped and
 * numeric segments become list indexes — `input.contact` → `['contact']`.
 */
export function fieldNameOf(path: string): FieldName {
  const segments = path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return segments.length > 1 ? segments.slice(1) : segments;
}

const codeOf = (error: unknown): string =>
  error instanceof ApiError ? error.code : error instanceof TypeError ? 'NETWORK' : 'ERROR';

/**
 * The user-language text of an error as a whole: the operation's own message for its code if given,
 * else the shared one for the code. The hub's own message is English and for developers, so it is
 * not shown.
 */
export function errorText(error: unknown, t: TFunction, options: ErrorTextOptions = {}): string {
  const code = codeOf(error);
  const own = options.codes?.[code];
  if (own) return t(own);
  return t(`common.errors.codes.${code}`, { defaultValue: t('common.errors.codes.ERROR') });
}

/** The user-language text for one invalid field: its hint (by field name) or the code's field text. */
export function fieldErrorText(
  name: FieldName,
  code: string,
  t: TFunction,
  options: ErrorTextOptions = {},
): string {
  const leaf = String(name.filter((s) => typeof s === 'string').at(-1) ?? '');
  if (code === 'BAD_USER_INPUT')
    for (const prefix of [...(options.fieldHints ?? []), 'common.errors.fields']) {
      const key = `${prefix}.${leaf}`;
      const text = t(key, { defaultValue: '' });
      if (text) return text;
    }
  return t(`common.errors.fieldCodes.${code}`, {
    defaultValue: t('common.errors.fieldCodes.BAD_USER_INPUT'),
  });
}

/**
 * Puts an API error next to the fields it names (`extensions.fields`) in the user's language, on the
 * fields the form has; answers the text to show above the form for the rest (null when every
 * problem found its field).
 */
export function applyApiErrors(
  form: FieldErrorTarget,
  error: unknown,
  t: TFunction,
  options: ErrorTextOptions = {},
): string | null {
  const problems = error instanceof ApiError ? error.fields : [];
  const present = form.getFieldsValue();
  const placed = new Map<string, { name: FieldName; errors: string[] }>();
  let unplaced = problems.length === 0;
  for (const problem of problems) {
    const name = fieldNameOf(problem.path);
    if (!(String(name[0]) in present)) {
      unplaced = true;
      continue;
    }
    const key = name.join('.');
    const text = fieldErrorText(name, codeOf(error), t, options);
    const entry = placed.get(key) ?? { name, errors: [] };
    if (!entry.errors.includes(text)) entry.errors.push(text);
    placed.set(key, entry);
  }
  form.setFields([...placed.values()]);
  return unplaced ? errorText(error, t, options) : null;
}

/**
 * A form's API errors: `run` clears the last error, runs the call and, when it throws, places the
 * error on the form's fields (`applyApiErrors`) and keeps the rest in `formError` for the page to show
 * above the form. `run` answers whether the call succeeded.
 */
export function useFieldErrors(form: FieldErrorTarget, options: ErrorTextOptions = {}) {
  const { t } = useTranslation();
  const [formError, setFormError] = useState<string | null>(null);
  const { fieldHints, codes } = options;
  const run = useCallback(
    async (call: () => Promise<unknown>): Promise<boolean> => {
      setFormError(null);
      try {
        await call();
        return true;
      } catch (error) {
        setFormError(applyApiErrors(form, error, t, { fieldHints, codes }));
        return false;
      }
    },
    [form, t, fieldHints, codes],
  );
  return { formError, setFormError, run };
}
