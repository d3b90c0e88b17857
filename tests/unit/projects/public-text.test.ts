import { describe, expect, it } from 'vitest';
import { HIDDEN_PHONE, hidePhoneNumbers } from '../../../src/modules/projects/public-text.js';

describe('hidePhoneNumbers', () => {
  it('hides mobiles and landlines, in their usual spellings', () => {
    for (const phone of [
      '13912345678',
      '+86 139 1234 5678',
      '86-139-1234-5678',
      '0531-88001234',
      '053188001234',
    ])
      expect(hidePhoneNumbers(`请联系${phone}。`)).toBe(`请联系${HIDDEN_PHONE}。`);
  });

  it('leaves amounts, dates and longer digit runs alone', () => {
    for (const text of [
      '预算 100000 元',
      '2026-12-02',
      '统一社会信用代码 52370100MJD123456X',
      '139123456789',
    ])
      expect(hidePhoneNumbers(text)).toBe(text);
  });
});
