import { describe, expect, it } from 'vitest';
import { isUuid, OPEN_DATA_NAMESPACE, partId, uuidV5 } from '../../../src/modules/opendata/open-ids.js';
import { compile, type OcdsRelease } from '../../../src/modules/opendata/ocds.js';

describe('open-data ids', () => {
  it('computes RFC 9562 version-5 UUIDs (the DNS namespace example)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('names parts from the fixed namespace, the same every time', () => {
    expect(partId('taxonomy', 'service_category', 'LIFE')).toBe(
      uuidV5('taxonomy/service_category/LIFE', OPEN_DATA_NAMESPACE),
    );
    expect(isUuid(partId('x'))).toBe(true);
    expect(partId('a', 'b')).not.toBe(partId('a', 'c'));
  });
});

describe('OCDS compiled release', () => {
  it('merges objects by field and identified arrays by id; other values are replaced', () => {
    const base = { ocid: 'o', tag: ['tender'], date: '2025-01-01T00:00:00Z' } as unknown as OcdsRelease;
    const compiled = compile([
      { ...base, id: '1', tender: { id: 't', status: 'active', items: [{ id: '1', description: 'a' }] } },
      { ...base, id: '2', tag: ['award'], tender: { id: 't', status: 'complete' }, awards: [{ id: 'a1' }] },
    ] as OcdsRelease[]);
    expect(compiled).toMatchObject({
      id: 'o-compiled',
      tag: ['compiled'],
      tender: { status: 'complete', items: [{ id: '1', description: 'a' }] },
      awards: [{ id: 'a1' }],
    });
  });
});
