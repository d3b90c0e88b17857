import type { EntityManager } from '@mikro-orm/postgresql';
import { selectIds } from '../../core/id-queries.js';
import { Organization } from './organization.entity.js';
import { VerificationStatus } from './organization.enums.js';
import { Settling, type MaybePromise } from '../../core/events/settling.js';

const NONE: ReadonlySet<number> = new Set();

/** How a read is run: `(read) => read()`, or retried (`retryThroughOutage`). */
export type ReadAttempt = <T>(read: () => Promise<T>) => Promise<T>;

/**
 * Which organizations are VERIFIED, read for many callers at once: the ids asked for within one
 * turn of the event loop go into one query, and every caller of that turn gets the same answer (the
 * verified ids among them). An id already read is answered from its query.
 *
 * The live feed asks once per subscriber of an event, thousands in one turn. A dataloader makes a
 * promise per id and caller (and one more on every cache hit); here a caller costs a map lookup and
 * shares one promise. Measured with the dataloader in its place (5,000 subscribers all matching, 8
 * events, five alternating runs each): median 118.75 against 103.75 ms of server CPU per event.
 */
export class VerifiedOrganizations {
  /** Each id read or being read → the answer of its query. */
  private readonly answers = new Map<number, Settling<ReadonlySet<number>>>();
  /** Ids waiting for the query that runs at the end of this turn. */
  private waiting: Set<number> | null = null;
  private waitingAnswer: Settling<ReadonlySet<number>> | null = null;

  constructor(
    private readonly em: EntityManager,
    /** Runs each query: at once by default; the live feed retries it through a database outage. */
    private readonly attempt: ReadAttempt = (read) => read(),
  ) {}

  /**
   * A set holding the verified ones among `ids` (and maybe other callers' ids): the set itself once
   * their query has answered (settling.ts), its promise until then.
   */
  among(ids: readonly number[]): MaybePromise<ReadonlySet<number>> {
    if (ids.length === 0) return NONE;
    const answer = this.answers.get(ids[0]!);
    if (answer && ids.every((id) => this.answers.get(id) === answer)) return answer.now;
    const batch = this.waiting && this.waitingAnswer ? this.waitingAnswer : this.startBatch();
    for (const id of ids) {
      this.waiting!.add(id);
      this.answers.set(id, batch);
    }
    return batch.now;
  }

  private startBatch(): Settling<ReadonlySet<number>> {
    const ids = new Set<number>();
    this.waiting = ids;
    // After every caller of this turn has added its ids (process.nextTick runs once the promise
    // jobs queued so far are done), then no more: later callers start the next batch.
    const read = new Promise<void>((resolve) => process.nextTick(resolve)).then(async () => {
      this.waiting = null;
      const verified = await this.attempt(() =>
        selectIds(this.em, Organization, {
          id: { $in: [...ids] },
          verificationStatus: VerificationStatus.VERIFIED,
        }),
      );
      return new Set(verified);
    });
    // Settling keeps a failed read from counting as unhandled while callers do other work first
    // (the live feed reads the demand's row too); each caller still sees the error.
    return (this.waitingAnswer = new Settling(read));
  }
}
