import { describe, expect, it } from 'vitest';
import { creditCodeFindings, makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { documentTypeOf } from '../../../src/modules/organizations/document-type.js';
import { DocumentType } from '../../../src/modules/organizations/organization.enums.js';

describe('creditCodeFindings', () => {
  it('reads checksum, authority, kind and registering region from a valid code', () => {
    expect(creditCodeFindings(makeCreditCode('SOCIAL_GROUP', 42, '370200'), 'SOCIAL_GROUP')).toEqual({
      checksumValid: true,
      authorityCode: '5',
      civilAffairs: true,
      kind: 'SOCIAL_GROUP',
      registrationRegionCode: '370200',
      problem: null,
    });
  });

  it('names what is wrong while still reading what can be read', () => {
    const code = makeCreditCode('FOUNDATION', 7);
    const mistyped = `${code.slice(0, 17)}${code.endsWith('0') ? '1' : '0'}`;
    expect(creditCodeFindings(mistyped, 'FOUNDATION')).toMatchObject({
      checksumValid: false,
      kind: 'FOUNDATION',
      problem: 'CHECK_CHARACTER',
    });
    expect(creditCodeFindings(code, 'SOCIAL_GROUP')).toMatchObject({
      checksumValid: true,
      kind: 'FOUNDATION',
      problem: 'KIND_MISMATCH',
    });
    expect(creditCodeFindings('', 'OTHER')).toEqual({
      checksumValid: false,
      authorityCode: null,
      civilAffairs: false,
      kind: null,
      registrationRegionCode: null,
      problem: 'LENGTH',
    });
  });
});

describe('documentTypeOf', () => {
  it('knows PDF, PNG and JPEG by their first bytes, and nothing else', () => {
    expect(documentTypeOf(Buffer.from('%PDF-1.4\n'))).toBe(DocumentType.PDF);
    expect(documentTypeOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]))).toBe(
      DocumentType.PNG,
    );
    expect(documentTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(DocumentType.JPEG);
    expect(documentTypeOf(Buffer.from('%PDF'))).toBeNull();
    expect(documentTypeOf(Buffer.from('GIF89a'))).toBeNull();
    expect(documentTypeOf(Buffer.alloc(0))).toBeNull();
  });
});
