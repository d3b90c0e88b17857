import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { SERVICE_CATEGORIES, TARGET_GROUPS } from '../../src/modules/categories/categories.data.js';

interface RegionRow {
  code: string;
  name: string;
  nameEn: string;
  parentCode: string;
}

const PROVINCE = '370000';

/**
 * Parses the region CSV strictly: the file promises no quoting, so any quote or wrong field count
 * is a data error to fail on, not something to be lenient about.
 */
function readRegions(): RegionRow[] {
  const text = readFileSync(new URL('../../src/modules/regions/data/shandong.csv', import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const [header, ...rows] = lines;
  expect(header).toBe('code,name,nameEn,parentCode');
  return rows.map((line, index) => {
    expect(line, `row ${index + 2} must not be quoted`).not.toMatch(/"/);
    const fields = line.split(',');
    expect(fields, `row ${index + 2}: ${line}`).toHaveLength(4);
    const [code = '', name = '', nameEn = '', parentCode = ''] = fields;
    return { code, name, nameEn, parentCode };
  });
}

const regions = readRegions();
const byCode = new Map(regions.map((row) => [row.code, row]));
const cities = regions.filter((row) => row.parentCode === PROVINCE);
const childrenOf = (code: string): RegionRow[] => regions.filter((row) => row.parentCode === code);

describe('Shandong regions (shandong.csv)', () => {
  it('has unique codes', () => {
    expect(byCode.size).toBe(regions.length);
  });

  it('uses 6-digit codes and non-empty bilingual names', () => {
    for (const row of regions) {
      expect(row.code, row.name).toMatch(/^\d{6}$/);
      expect(row.name.trim(), row.code).not.toBe('');
      expect(row.nameEn.trim(), row.code).not.toBe('');
      expect(row.name, row.code).toBe(row.name.trim());
      expect(row.nameEn, row.code).toBe(row.nameEn.trim());
    }
  });

  it('has the province as its only root', () => {
    const roots = regions.filter((row) => row.parentCode === '');
    expect(roots).toEqual([{ code: PROVINCE, name: '山东省', nameEn: 'Shandong', parentCode: '' }]);
  });

  it('gives every row a parent that exists', () => {
    for (const row of regions) {
      if (row.parentCode === '') continue;
      expect(byCode.has(row.parentCode), `${row.code} ${row.name} → ${row.parentCode}`).toBe(true);
    }
  });

  it('has all 16 prefecture-level cities of Shandong, with codes ending in 00', () => {
    expect(cities.map((city) => city.code).sort()).toEqual([
      '370100', // Jinan (absorbed Laiwu, 371200, in 2019)
      '370200', // Qingdao
      '370300', // Zibo
      '370400', // Zaozhuang
      '370500', // Dongying
      '370600', // Yantai
      '370700', // Weifang
      '370800', // Jining
      '370900', // Tai'an
      '371000', // Weihai
      '371100', // Rizhao
      '371300', // Linyi
      '371400', // Dezhou
      '371500', // Liaocheng
      '371600', // Binzhou
      '371700', // Heze
    ]);
    expect(byCode.get('371200')).toBeUndefined();
  });

  it('nests districts and counties under the city whose first four digits they share', () => {
    for (const row of regions) {
      if (row.parentCode === '' || row.parentCode === PROVINCE) continue;
      const parent = byCode.get(row.parentCode);
      expect(parent?.parentCode, `${row.code} ${row.name} must sit under a city`).toBe(PROVINCE);
      expect(row.code.slice(0, 4), `${row.code} ${row.name}`).toBe(row.parentCode.slice(0, 4));
      expect(row.code.endsWith('00'), `${row.code} ${row.name}`).toBe(false);
    }
  });

  it('lists every district, county and county-level city of the cities the paper names', () => {
    // Complete lists as of the 2020s. Weihai really has only four county-level divisions
    // (Huancui, Wendeng, Rongcheng, Rushan), so a flat "at least 5" would be wrong for it.
    const expected: Readonly<Record<string, number>> = {
      '370100': 12, // Jinan
      '370200': 10, // Qingdao
      '370300': 8, // Zibo
      '370500': 5, // Dongying
      '370900': 6, // Tai'an
      '371000': 4, // Weihai
      '371700': 9, // Heze
    };
    for (const [cityCode, count] of Object.entries(expected)) {
      expect(childrenOf(cityCode), cityCode).toHaveLength(count);
    }
  });

  it('has the districts created by the recent mergers', () => {
    expect(byCode.get('370116')?.name).toBe('莱芜区');
    expect(byCode.get('370117')?.name).toBe('钢城区');
    expect(byCode.get('370115')?.name).toBe('济阳区');
    expect(byCode.get('370215')?.name).toBe('即墨区');
    expect(byCode.get('370614')?.name).toBe('蓬莱区');
  });

  it('gives every city at least four children and every child a unique name within its city', () => {
    for (const city of cities) {
      const children = childrenOf(city.code);
      expect(children.length, `${city.code} ${city.nameEn}`).toBeGreaterThanOrEqual(4);
      expect(new Set(children.map((child) => child.name)).size, city.nameEn).toBe(children.length);
    }
  });
});

describe('service categories', () => {
  const codes = new Set(SERVICE_CATEGORIES.map((category) => category.code));

  it('has unique codes in upper-case dotted form', () => {
    expect(codes.size).toBe(SERVICE_CATEGORIES.length);
    for (const category of SERVICE_CATEGORIES) {
      expect(category.code).toMatch(/^[A-Z][A-Z_]*(\.[A-Z][A-Z_]*)*$/);
      expect(category.name.trim()).not.toBe('');
      expect(category.nameEn.trim()).not.toBe('');
    }
  });

  it('has the five top-level categories first', () => {
    expect(SERVICE_CATEGORIES.slice(0, 5).map((category) => category.code)).toEqual([
      'WORK',
      'CAREER',
      'LIFE',
      'CULTURE',
      'UNION_SUPPORT',
    ]);
    expect(SERVICE_CATEGORIES.filter((category) => category.parentCode === null)).toHaveLength(5);
  });

  it('gives every child an existing parent listed before it, and a code that extends the parent code', () => {
    const seen = new Set<string>();
    for (const category of SERVICE_CATEGORIES) {
      if (category.parentCode === null) {
        expect(category.code).not.toContain('.');
      } else {
        expect(codes.has(category.parentCode), category.code).toBe(true);
        expect(seen.has(category.parentCode), `${category.code} comes after its parent`).toBe(true);
        expect(category.code.startsWith(`${category.parentCode}.`), category.code).toBe(true);
        expect(category.code.slice(category.parentCode.length + 1), category.code).not.toContain('.');
      }
      seen.add(category.code);
    }
  });

  it('numbers siblings 1, 2, 3 … without gaps or repeats', () => {
    const bySiblings = new Map<string | null, number[]>();
    for (const category of SERVICE_CATEGORIES) {
      const orders = bySiblings.get(category.parentCode) ?? [];
      orders.push(category.sortOrder);
      bySiblings.set(category.parentCode, orders);
    }
    for (const [parent, orders] of bySiblings) {
      expect(
        [...orders].sort((a, b) => a - b),
        String(parent),
      ).toEqual(orders.map((_, index) => index + 1));
    }
  });
});

describe('target groups', () => {
  it('has unique codes in the agreed order', () => {
    const codes = TARGET_GROUPS.map((group) => group.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([
      'FEMALE_WORKERS',
      'DISABLED_WORKERS',
      'MIGRANT_WORKERS',
      'HARDSHIP_WORKERS',
      'NEW_EMPLOYMENT_FORMS',
      'ALL_WORKERS',
    ]);
    for (const group of TARGET_GROUPS) {
      expect(group.name.trim()).not.toBe('');
      expect(group.nameEn.trim()).not.toBe('');
    }
  });
});
