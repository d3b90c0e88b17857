/**
 * What a document's bytes are, read from their first bytes (their "magic number") rather than from a
 * file name or a Content-Type header that the uploader chooses.
 *
 * @module
 */
import { DocumentType } from './organization.enums.js';

const SIGNATURES: readonly (readonly [DocumentType, readonly number[]])[] = [
  [DocumentType.PDF, [0x25, 0x50, 0x44, 0x46, 0x2d]], // "%PDF-"
  [DocumentType.PNG, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  [DocumentType.JPEG, [0xff, 0xd8, 0xff]],
];

/** The type whose signature the bytes begin with; null for anything else. */
export function documentTypeOf(bytes: Uint8Array): DocumentType | null {
  for (const [type, signature] of SIGNATURES)
    if (bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte)) return type;
  return null;
}
