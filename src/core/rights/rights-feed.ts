import { requireViewer, type Viewer } from '../auth.js';
import type { Context } from '../context.js';
import { retryThroughOutage, unavailableIfOutage } from '../db/database-outage.js';
import { mapStream } from '../events/feed-iterator.js';
import type { FeedEvent } from '../events/match-index.js';
import { isThenable, type MaybePromise } from '../events/settling.js';
import type { EndableStream } from '../events/waiting-stream.js';
import type { AdmissionRule } from './rights-watch.js';

/**
 * A live feed whose every delivery is judged by the subscriber's current rights: the one way the
 * subscription resolvers turn a subscriber stream into payloads.
 *
 * `admit` is the subscription's rule for who may keep it (the same one it applied at subscribe
 * time); it runs again whenever a rights change concerning the subscriber is relayed. `map` turns
 * an event into the payload for the viewer it is given (null: not for this subscriber), and runs
 * again if the rights changed while it was working, so a payload always reflects the rights as of
 * the last relayed change. When `admit` refuses, the subscription ends with FORBIDDEN, also when
 * it is idle (rights-watch.ts).
 *
 * A database outage is not a decision: the viewer's reload is retried through a short one, and a
 * subscription that still cannot read (its rights, an event's row, the table it replays from) ends
 * with SERVICE_UNAVAILABLE, so the client resumes from its cursor. Other failures stay masked.
 */
export function feedWithLiveRights<U>(
  ctx: Context,
  stream: EndableStream,
  admit: AdmissionRule,
  map: (event: FeedEvent, viewer: Viewer) => MaybePromise<U | null>,
): AsyncIterableIterator<U> {
  const subscriber = requireViewer(ctx.viewer);
  const base = ctx.em;
  const reload = () =>
    retryThroughOutage(() =>
      ctx.services.viewers.load(base.fork(), subscriber.userId, subscriber.tokenExpiresAt),
    );
  const rights = ctx.services.events.rights.follow(subscriber, reload, admit);
  rights.onRevoked = (error) => stream.end(error);
  const judged = async (event: FeedEvent): Promise<U | null> => {
    for (;;) {
      const viewer = rights.settled ?? (await rights.current());
      const payload = await map(event, viewer);
      if (!rights.isStale) return payload;
    }
  };
  return mapStream(
    stream,
    (event) => {
      // Rights settled and a payload at once (the event's shared work is done): no promise step.
      const viewer = rights.settled;
      if (!viewer) return judged(event);
      const payload = map(event, viewer);
      if (isThenable(payload)) return payload.then((value) => (rights.isStale ? judged(event) : value));
      return rights.isStale ? judged(event) : payload;
    },
    () => rights.close(),
    unavailableIfOutage,
  );
}
