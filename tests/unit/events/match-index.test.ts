import { describe, expect, it } from 'vitest';
import {
  ANY,
  MatchIndex,
  eventKeys,
  groupsAgree,
  matches,
  type FeedEvent,
  type IndexedSubscriber,
  type PathSpec,
} from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { pathSpec as spec } from './path-spec.js';

const event = (seq: number, over: Partial<FeedEvent> = {}): FeedEvent => ({
  seq,
  topic: Topic.DEMAND_PUBLISHED,
  entityId: seq,
  categoryPath: ['LIFE', 'LIFE.CHILDCARE'],
  regionPath: ['370000', '370100', '370102'],
  targetGroups: ['FEMALE_WORKERS'],
  ...over,
});

const recorder = (s: PathSpec, log: string[], name: string): IndexedSubscriber => ({
  spec: s,
  deliver: (e) => log.push(`${name}:${e.seq}`),
});

describe('matches', () => {
  it('matches an ancestor category and an ancestor region', () => {
    expect(matches(spec(), event(1))).toBe(true);
    expect(matches(spec({ categoryCodes: ['LIFE.CHILDCARE'], regionCodes: ['370000'] }), event(1))).toBe(
      true,
    );
  });

  it('rejects another category, region, topic or target group', () => {
    expect(matches(spec({ categoryCodes: ['CULTURE'] }), event(1))).toBe(false);
    expect(matches(spec({ regionCodes: ['370200'] }), event(1))).toBe(false);
    expect(matches(spec({ topic: Topic.PROJECT_PUBLISHED }), event(1))).toBe(false);
    expect(matches(spec({ servedGroups: ['MIGRANT_WORKERS'] }), event(1))).toBe(false);
  });

  it('applies a filter as a narrowing of the organization’s reach', () => {
    expect(matches(spec({ requiredRegion: '370102' }), event(1))).toBe(true);
    expect(matches(spec({ requiredRegion: '370103' }), event(1))).toBe(false);
    expect(matches(spec({ requiredCategory: 'LIFE.ELDERLY' }), event(1))).toBe(false);
    expect(matches(spec({ requiredGroups: ['DISABLED_WORKERS'] }), event(1))).toBe(false);
  });

  it('treats empty or ALL_WORKERS target groups as every group', () => {
    expect(groupsAgree([], ['FEMALE_WORKERS'])).toBe(true);
    expect(groupsAgree(['MIGRANT_WORKERS'], [])).toBe(true);
    expect(groupsAgree(['ALL_WORKERS'], ['FEMALE_WORKERS'])).toBe(true);
    expect(groupsAgree(['MIGRANT_WORKERS'], ['ALL_WORKERS'])).toBe(true);
    expect(groupsAgree(['MIGRANT_WORKERS'], ['FEMALE_WORKERS'])).toBe(false);
  });

  it('matches entity subscriptions by id only', () => {
    const s = { kind: 'entity' as const, topic: Topic.DEMAND_UPDATED, entityId: 7 };
    expect(matches(s, event(1, { topic: Topic.DEMAND_UPDATED, entityId: 7 }))).toBe(true);
    expect(matches(s, event(1, { topic: Topic.DEMAND_UPDATED, entityId: 8 }))).toBe(false);
  });
});

describe('MatchIndex', () => {
  it('looks up a bounded number of buckets per event', () => {
    expect(eventKeys(event(1))).toHaveLength(1 + 3 * 4);
  });

  it('delivers each event once to every matching subscriber, and to no one else', () => {
    const index = new MatchIndex();
    const log: string[] = [];
    // Listens on two buckets the event hits: must still hear it once.
    index.add(
      recorder(
        spec({ categoryCodes: ['LIFE', 'LIFE.CHILDCARE'], regionCodes: ['370000', '370100'] }),
        log,
        'a',
      ),
    );
    index.add(recorder(spec({ categoryCodes: [ANY], regionCodes: [ANY] }), log, 'b'));
    index.add(recorder(spec({ regionCodes: ['370200'] }), log, 'c'));
    index.add(recorder(spec({ servedGroups: ['MIGRANT_WORKERS'] }), log, 'd'));
    expect(index.publish(event(5))).toBe(2);
    expect(log.sort()).toEqual(['a:5', 'b:5']);
  });

  it('forgets removed subscribers and their empty buckets', () => {
    const index = new MatchIndex();
    const log: string[] = [];
    const a = recorder(spec(), log, 'a');
    index.add(a);
    index.remove(a);
    expect(index.size).toBe(0);
    expect(index.publish(event(1))).toBe(0);
  });

  it('hands an event to all matching subscribers before any of them reacts', () => {
    const index = new MatchIndex();
    const queued: number[] = [];
    let reactedEarly = false;
    for (let i = 0; i < 50; i += 1)
      index.add({
        spec: spec(),
        deliver: () => {
          queued.push(i);
          queueMicrotask(() => (reactedEarly ||= queued.length < 50));
        },
      });
    index.publish(event(1));
    expect(queued).toHaveLength(50);
    return Promise.resolve().then(() => expect(reactedEarly).toBe(false));
  });
});

describe('demandFeedSpec', () => {
  it('narrows an organization’s reach by the filter', async () => {
    const { demandFeedSpec, narrowAxis } = await import('../../../src/modules/demands/demand-feed.js');
    expect(narrowAxis(['LIFE'], ['LIFE', 'LIFE.CHILDCARE'])).toEqual({
      codes: ['LIFE.CHILDCARE'],
      required: null,
    });
    expect(narrowAxis(['LIFE.CHILDCARE'], ['LIFE'])).toEqual({ codes: ['LIFE.CHILDCARE'], required: 'LIFE' });
    expect(narrowAxis(['370100'], null)).toEqual({ codes: ['370100'], required: null });
    const s = demandFeedSpec(
      { categoryCodes: ['LIFE'], regionCodes: ['370100'], targetGroups: [] },
      { categoryPath: null, regionPath: ['370000', '370200'], targetGroups: ['FEMALE_WORKERS'] },
    );
    expect(matches(s, event(1))).toBe(false); // Qingdao filter, Jinan organization: disjoint
    expect(s.requiredGroups).toEqual(['FEMALE_WORKERS']);
  });
});
