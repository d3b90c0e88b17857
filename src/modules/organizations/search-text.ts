/**
 * The text the directory's indexes search (its trigrams, and its characters and character pairs)
 * and how a query string is matched against it. Pure functions, so the service, the migration, the
 * seeders and the tests build the same values.
 *
 * @module
 */

/** The parts of an organization that directory search reads. */
export interface SearchableOrganization {
  name: string;
  description: string;
  brandName?: string | null;
  brandDescription?: string | null;
}

/** The parts of a service that directory search reads. */
export interface SearchableService {
  name: string;
  description: string;
}

/**
 * Joins name, description, brand programme and the services' names and descriptions into the one
 * column the trigram index covers. Lower-cased, so English search is case-insensitive through a plain
 * `LIKE` as well; white space is collapsed so the column stays compact.
 *
 * @param organization - the organization's own texts
 * @param services - its current services (retired ones included: their names still describe it)
 * @returns the text to store in `organization.search_text`
 */
export function buildSearchText(
  organization: SearchableOrganization,
  services: readonly SearchableService[],
): string {
  const parts = [
    organization.name,
    organization.description,
    organization.brandName ?? '',
    organization.brandDescription ?? '',
    ...services.flatMap((s) => [s.name, s.description]),
  ];
  return parts
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join(' \u2016 ')
    .toLowerCase();
}

/**
 * Turns what a user typed into a `LIKE` pattern: trimmed, lower-cased, with `%`, `_` and `\` escaped
 * so they match themselves. Returns null for a query that is empty after trimming.
 *
 * @param query - the raw search text
 * @returns `%query%` ready for `LIKE ... ESCAPE '\'`, or null
 */
export function likePattern(query: string): string | null {
  const text = query.replace(/\s+/g, ' ').trim().toLowerCase();
  if (text.length === 0) return null;
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The longest query the gram index answers; from 4 characters on, the trigram index does. */
const MAX_GRAM_QUERY = 3;

/**
 * The gram a query is looked up by in the gram index: the query, trimmed and lower-cased, when it is
 * one to three characters; null for anything longer, which the trigram index serves. The index holds
 * every character of the search text and every two and three adjacent ones (the SQL function
 * `directory_text_grams`), so a query this short is in the text exactly when it is one of its grams
 * — also two or three Chinese characters (托育, 法律, 济南市), which pg_trgm's index could only
 * propose for a recheck of every candidate's text.
 *
 * @param query - the raw search text
 * @returns the gram, or null
 */
export function queryGram(query: string): string | null {
  const text = query.replace(/\s+/g, ' ').trim().toLowerCase();
  const characters = [...text];
  return characters.length === 0 || characters.length > MAX_GRAM_QUERY ? null : text;
}
