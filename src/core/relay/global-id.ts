import { BadUserInputError } from '../errors.js';

/**
 * Opaque global ids (docs/api.md, "Global ids"): base64url of `Type:key`. Opaque so clients never
 * build them by hand and we stay free to change keys; typed so `node(id)` knows which table to read.
 */
export function toGlobalId(typeName: string, key: string | number): string {
  return Buffer.from(`${typeName}:${key}`, 'utf8').toString('base64url');
}

export interface DecodedGlobalId {
  typeName: string;
  key: string;
}

/** Decodes a global id; returns null for anything that is not one of ours. */
export function decodeGlobalId(id: string): DecodedGlobalId | null {
  if (id.length > 200 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  const typeName = text.slice(0, colon);
  if (!/^[A-Z][A-Za-z]*$/.test(typeName)) return null;
  return { typeName, key: text.slice(colon + 1) };
}

/**
 * Decodes a global id that must be of `typeName` with a positive integer key (our bigint ids),
 * or raises BAD_USER_INPUT naming the argument.
 */
export function parseIdOf(typeName: string, id: string, path: string): number {
  const decoded = decodeGlobalId(id);
  const key = decoded?.typeName === typeName ? Number(decoded.key) : NaN;
  if (!Number.isSafeInteger(key) || key <= 0) {
    throw BadUserInputError.field(path, `is not the id of a ${typeName}`);
  }
  return key;
}
