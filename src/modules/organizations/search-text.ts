/**
 * The text the directory's trigram index searches, the Chinese grams its second index holds, and
 * how a query string is matched against them. Pure functions, so the service, the migration, the
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

/** One Chinese character (Han script); a character of any other script never makes a gram. */
const HAN = /^\p{Script=Han}$/u;

/** The longest query the gram index answers; from 3 characters on, the trigram index does. */
const MAX_GRAM_QUERY = 2;

/**
 * The Chinese unigrams and bigrams of a search text: every Han character, and every two adjacent
 * Han characters. A trigram index cannot answer a query of one or two characters (it has no
 * trigram to look up), yet two characters are a whole Chinese word (托育, 法律); a GIN index on
 * these grams finds them. Sorted and without duplicates, so equal texts store equal arrays.
 *
 * @param searchText - the text built by {@link buildSearchText}
 * @returns the grams to store in `organization.search_grams`
 */
export function searchGrams(searchText: string): string[] {
  const grams = new Set<string>();
  const characters = [...searchText];
  characters.forEach((character, i) => {
    if (!HAN.test(character)) return;
    grams.add(character);
    const next = characters[i + 1];
    if (next !== undefined && HAN.test(next)) grams.add(character + next);
  });
  return [...grams].sort();
}

/**
 * The gram a query is looked up by in the gram index: the query itself when it is one or two Han
 * characters (after trimming); null for anything else, which the trigram index (or a scan) serves.
 *
 * @param query - the raw search text
 * @returns the gram, or null
 */
export function queryGram(query: string): string | null {
  const text = query.replace(/\s+/g, ' ').trim().toLowerCase();
  const characters = [...text];
  if (characters.length === 0 || characters.length > MAX_GRAM_QUERY) return null;
  return characters.every((c) => HAN.test(c)) ? text : null;
}
