import { describe, expect, it } from 'vitest';
import { MAX_OPERATION_NAMES, operationLabel } from '../../../src/core/metrics.js';

describe('operationLabel', () => {
  it('keeps well-formed names, and bounds the rest', () => {
    const seen = new Set<string>();
    expect(operationLabel('Submit', seen)).toBe('Submit');
    expect(operationLabel(null, seen)).toBe('anonymous');
    expect(operationLabel('bad name;', seen)).toBe('invalid');
    expect(operationLabel('x'.repeat(65), seen)).toBe('invalid');
  });

  it('labels names past the cap as other, but keeps those already seen', () => {
    const seen = new Set<string>();
    for (let i = 0; i < MAX_OPERATION_NAMES; i++) operationLabel(`Op${i}`, seen);
    expect(operationLabel('OneTooMany', seen)).toBe('other');
    expect(operationLabel('Op0', seen)).toBe('Op0');
  });
});
