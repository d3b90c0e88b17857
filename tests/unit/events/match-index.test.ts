import { describe, expect, it } from 'vitest';
import {
  ANY,
  MatchIndex,
  eventKeys,
  groupsAgree,
  matches,
  specIdentity,
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

  it('decides equal specs once per event, and keeps each subscriber of a group its own', () => {
    const index = new MatchIndex();
    const log: string[] = [];
    // Equal specs in distinct objects (one per subscription, as the feeds make them).
    const members = ['a', 'b', 'c'].map((name) => recorder(spec({ requiredRegion: '370102' }), log, name));
    for (const member of members) index.add(member);
    // Same buckets, but a narrowing the event does not meet: decided apart from the group.
    index.add(recorder(spec({ requiredRegion: '370103' }), log, 'x'));
    index.add(recorder(spec({ requiredGroups: ['DISABLED_WORKERS'] }), log, 'y'));
    expect(index.publish(event(1))).toBe(3);
    index.remove(members[1]!);
    expect(index.size).toBe(4);
    expect(index.publish(event(2))).toBe(2);
    for (const member of members) index.remove(member);
    expect(index.publish(event(3))).toBe(0);
    index.add(recorder(spec({ requiredRegion: '370102' }), log, 'd'));
    expect(index.publish(event(4))).toBe(1);
    expect(log.sort()).toEqual(['a:1', 'a:2', 'b:1', 'c:1', 'c:2', 'd:4']);
  });

  it('tells specs apart by every field matches reads', () => {
    const base = spec();
    const variants: PathSpec[] = [
      spec({ topic: Topic.PROJECT_PUBLISHED }),
      spec({ categoryCodes: ['CULTURE'] }),
      spec({ regionCodes: ['370200'] }),
      spec({ requiredCategory: 'LIFE.CHILDCARE' }),
      spec({ requiredRegion: '370102' }),
      spec({ servedGroups: ['MIGRANT_WORKERS'] }),
      spec({ requiredGroups: ['FEMALE_WORKERS'] }),
    ];
    // Every field of a spec is varied once: a field added to PathSpec must be added here too.
    const varied = variants.flatMap((v) =>
      Object.keys(v).filter(
        (k) => JSON.stringify(v[k as keyof PathSpec]) !== JSON.stringify(base[k as keyof PathSpec]),
      ),
    );
    expect(varied.sort()).toEqual(
      Object.keys(base)
        .filter((k) => k !== 'kind')
        .sort(),
    );
    for (const variant of variants) expect(specIdentity(variant)).not.toBe(specIdentity(base));
    expect(specIdentity(spec())).toBe(specIdentity(base));
    // The same values in another field order: one identity.
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as PathSpec;
    expect(specIdentity(reordered)).toBe(specIdentity(base));
    expect(specIdentity({ kind: 'entity', topic: Topic.DEMAND_UPDATED, entityId: 7 })).not.toBe(
      specIdentity({ kind: 'entity', topic: Topic.DEMAND_UPDATED, entityId: 8 }),
    );
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
