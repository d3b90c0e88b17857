import { describe, expect, it } from 'vitest';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { FairnessFlagKind } from '../../../src/modules/projects/fairness.enums.js';
import {
  amendmentFlags,
  awardFlags,
  publicationFlags,
  rationaleRequirement,
} from '../../../src/modules/projects/fairness-flags.js';
import { ProcurementMethod } from '../../../src/modules/projects/project.enums.js';

const rule = { awards: 3, windowMonths: 12 };

describe('fairness flags', () => {
  it('flags a founding-type restriction and the DIRECT method at publication, nothing else', () => {
    expect(publicationFlags({ procurementMethod: ProcurementMethod.OPEN, allowedFoundingTypes: [] })).toEqual(
      [],
    );
    expect(
      publicationFlags({ procurementMethod: ProcurementMethod.SELECTIVE, allowedFoundingTypes: [] }),
    ).toEqual([]);
    expect(
      publicationFlags({
        procurementMethod: ProcurementMethod.DIRECT,
        allowedFoundingTypes: [FoundingType.INDEPENDENT],
      }).map((f) => f.kind),
    ).toEqual([FairnessFlagKind.FOUNDING_TYPE_RESTRICTION, FairnessFlagKind.DIRECT_METHOD]);
  });

  it('flags an amendment to a non-empty set of founding types only', () => {
    expect(amendmentFlags(null)).toEqual([]);
    expect(amendmentFlags([])).toEqual([]);
    expect(amendmentFlags([FoundingType.UNION_FOUNDED]).map((f) => f.kind)).toEqual([
      FairnessFlagKind.FOUNDING_TYPE_RESTRICTION,
    ]);
  });

  it('flags a single applicant organization and winners at or above the threshold', () => {
    expect(awardFlags([7, 7], [{ organizationId: 7, priorAwards: 0 }], rule)).toEqual([
      { kind: FairnessFlagKind.SINGLE_APPLICANT, organizationId: 7, priorAwards: null },
    ]);
    expect(
      awardFlags(
        [7, 8, 9],
        [
          { organizationId: 7, priorAwards: 2 },
          { organizationId: 8, priorAwards: 3 },
        ],
        rule,
      ),
    ).toEqual([{ kind: FairnessFlagKind.REPEAT_WINNER, organizationId: 8, priorAwards: 3 }]);
  });

  it('names every flagged kind once in the refusal', () => {
    const flags = awardFlags([8], [{ organizationId: 8, priorAwards: 5 }], rule);
    expect(rationaleRequirement(flags)).toBe(
      'is required: this decision is flagged (an award when only one organization applied; an award to a repeat winner of this publisher)',
    );
  });
});
