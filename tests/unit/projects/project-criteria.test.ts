import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '../../../src/core/errors.js';
import { checkCriteria, checkScores } from '../../../src/modules/projects/project-criteria.js';

function problemsOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return (error as BadUserInputError).extensions.fields;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('award criteria', () => {
  it('keep unique names and integer weights summing to 100; none is allowed', () => {
    expect(checkCriteria([], 'c')).toEqual([]);
    expect(
      checkCriteria(
        [
          { name: '方案', description: '', weight: 70 },
          { name: '报价', weight: 30 },
        ],
        'c',
      ),
    ).toEqual([
      { name: '方案', description: null, weight: 70 },
      { name: '报价', description: null, weight: 30 },
    ]);
  });

  it('name every problem at once', () => {
    expect(
      problemsOf(() =>
        checkCriteria(
          [
            { name: '方案', weight: 50 },
            { name: '方案', weight: 30 },
            { name: ' ', weight: 30 },
          ],
          'c',
        ),
      ),
    ).toEqual([
      { path: 'c.1.name', message: 'names criterion “方案” twice' },
      { path: 'c.2.name', message: 'must not be blank' },
      { path: 'c', message: 'the weights sum to 110, not 100' },
    ]);
  });
});

describe('scores', () => {
  const criteria = [
    { name: 'A', description: null, weight: 33 },
    { name: 'B', description: null, weight: 67 },
  ];

  it('come back in the criteria’s order with the weighted score in exact hundredths', () => {
    expect(
      checkScores(
        criteria,
        [
          { criterion: 'B', score: 77, comment: '好' },
          { criterion: 'A', score: 100 },
        ],
        's',
      ),
    ).toEqual({
      scores: [
        { criterion: 'A', score: 100, comment: null },
        { criterion: 'B', score: 77, comment: '好' },
      ],
      weightedScoreCenti: 33 * 100 + 67 * 77,
    });
  });

  it('refuse unknown, repeated and missing criteria', () => {
    expect(
      problemsOf(() =>
        checkScores(
          criteria,
          [
            { criterion: 'A', score: 1 },
            { criterion: 'A', score: 2 },
            { criterion: 'C', score: 3 },
          ],
          's',
        ),
      ),
    ).toEqual([
      { path: 's.1.criterion', message: 'scores “A” twice' },
      { path: 's.2.criterion', message: 'no criterion is named “C”' },
      { path: 's', message: 'must score every criterion; missing “B”' },
    ]);
  });
});
