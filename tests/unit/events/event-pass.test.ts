import { describe, expect, it } from 'vitest';
import { EventPass } from '../../../src/core/events/event-pass.js';

describe('EventPass', () => {
  it('makes a value once per event and key while the reuse window lasts', () => {
    let clock = 0;
    const pass = new EventPass(100, () => clock);
    const event = {};
    let made = 0;
    const make = () => ++made;
    expect(pass.shared(event, 'k', make)).toBe(1);
    clock = 100;
    expect(pass.shared(event, 'k', make)).toBe(1);
    expect(pass.shared(event, 'other', make)).toBe(2);
    expect(pass.shared({}, 'k', make)).toBe(3); // another event (e.g. a replayed copy) shares nothing
    expect(made).toBe(3);
  });

  it('makes the value afresh for a subscriber that comes after the window', () => {
    let clock = 0;
    const pass = new EventPass(100, () => clock);
    const event = {};
    let made = 0;
    pass.shared(event, 'k', () => ++made);
    clock = 101;
    expect(pass.shared(event, 'k', () => ++made)).toBe(2);
    clock = 150; // the fresh value is shared in its own window
    expect(pass.shared(event, 'k', () => ++made)).toBe(2);
  });

  it('shares one promise between concurrent callers', async () => {
    const pass = new EventPass();
    const event = {};
    let loads = 0;
    const load = async () => {
      loads++;
      await Promise.resolve();
      return 'row';
    };
    const rows = await Promise.all([1, 2, 3].map(() => pass.shared(event, 'row', load)));
    expect(rows).toEqual(['row', 'row', 'row']);
    expect(loads).toBe(1);
  });
});
