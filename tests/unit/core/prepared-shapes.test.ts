import { describe, expect, it } from 'vitest';
import { PreparedShapes, preparedStatementName } from '../../../src/core/db/statement-names.js';

describe('PreparedShapes', () => {
  it('names each text the same way every time, and stops naming new texts at its cap', () => {
    const shapes = new PreparedShapes('shape', 3);
    const texts = ['select 1', 'select 2', 'select 3', 'select 4'];
    const names = texts.map((text) => shapes.nameOf(text));
    expect(names.slice(0, 3)).toEqual(texts.slice(0, 3).map((text) => preparedStatementName('shape', text)));
    // Past the cap a new text runs unprepared; the texts already named keep their names.
    expect(names[3]).toBeUndefined();
    expect(shapes.nameOf('select 4')).toBeUndefined();
    expect(shapes.nameOf('select 2')).toBe(names[1]);
    expect(shapes.size).toBe(3);
  });
});
