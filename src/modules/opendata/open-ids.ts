/**
 * Identifiers of the open data. HSDS 3.0 wants every `id` and every reference to be a UUID that
 * never changes for its object, so a government that republishes the files can match them run
 * after run:
 *
 * - an organization and a service carry a stored `open_data_id` (a random UUID the database gives
 *   the row when it is inserted and never changes), so they keep their id whatever else is
 *   re-seeded, and `/organizations/{id}` and `/services/{id}` find them by an indexed column;
 * - everything that is a part of one of them, or a fixed vocabulary (a taxonomy, a term, a credit
 *   code identifier, a phone, a service area), gets a name-based UUID (version 5, RFC 9562) from
 *   {@link OPEN_DATA_NAMESPACE} and a name built from its owner's UUID and what it is, so it is the
 *   same in every export without being stored.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * The namespace of every name-based id Niudai publishes. Fixed for ever: changing it changes every
 * taxonomy, term, identifier, phone, location and service-area id (README, "Open data").
 */
export const OPEN_DATA_NAMESPACE = 'b26111a3-80fd-442b-8924-982c1557dfa5';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical text form (any version). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The version-5 UUID of `name` in `namespace` (SHA-1 of the namespace's bytes and the UTF-8 name). */
export function uuidV5(name: string, namespace: string = OPEN_DATA_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of a part of an object (e.g. `partId(orgUuid, 'phone')`), or of a vocabulary entry. */
export function partId(owner: string, ...what: string[]): string {
  return uuidV5([owner, ...what].join('/'));
}
