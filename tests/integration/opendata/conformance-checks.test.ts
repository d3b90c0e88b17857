import { describe, expect, it } from 'vitest';
import { Conformance, loadStandards } from '../../setup/standards.js';

// With the integration tests, not the unit tests: it reads the standards' own files from outside
// the repository and compiling their schemas takes longer than every unit test together.
const { standards, reason } = loadStandards();
describe.skipIf(!standards)(
  `the schema checks catch what the old exports did wrong${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    it('Relay ids, nulls, a text publication policy and an unknown tag are all counted', () => {
      const c = new Conformance();
      c.check('org', standards!.hsds.organization, {
        id: 'T3JnYW5pemF0aW9uOjE=',
        name: 'x',
        description: 'd',
        website: null,
        organization_identifiers: [{ id: 'x', identifier_type: 't', identifier: 'i' }],
      });
      c.check('pkg', standards!.ocds.releasePackage, {
        uri: 'https://x.cn/p',
        version: '1.1',
        publishedDate: '2025-01-01T00:00:00Z',
        publisher: { name: 'n' },
        publicationPolicy: 'no personal data',
        releases: [
          {
            ocid: 'o',
            id: 'i',
            date: '2025-01-01T00:00:00Z',
            tag: ['bogus'],
            initiationType: 'tender',
            awards: [],
          },
        ],
      });
      expect(c.errors.map((e) => e.split(' ')[0])).toEqual([
        'org/id',
        'org/website',
        'org/organization_identifiers/0/id',
        'org/website',
        'pkg/releases/0/tag/0',
        'pkg/publicationPolicy',
        'pkg/releases/0/awards',
      ]);
    });
  },
);
