import { ref } from '@mikro-orm/core';
import type { Context } from '../../core/context.js';
import { BadUserInputError, ConflictError, ForbiddenError, type FieldProblem } from '../../core/errors.js';
import { announceAfterCommit, pgTextArray, Topic } from '../../core/events/outbox.js';
import { createOnce, KeyAlreadyUsed, type RetryKey } from '../../core/idempotency/retry-key.js';
import { Role } from '../../core/roles.js';
import { globalIdsIn } from '../audit/audit.js';
import { RegionLevel } from '../regions/region.entity.js';
import { User } from '../accounts/user.entity.js';
import { Demand, DemandEndorsement } from './demand.entity.js';
import { DemandSource, DemandStatus, DemandUrgency } from './demand.enums.js';
import { inUnionScope } from './demand.policy.js';
import { normalizeTargetGroups } from './demand-matching.js';
import { DemandChanges } from './demand-change.js';
import { categoryCodeOf, regionCodeOf } from './demand-records.js';
import { RecordReader, type RawRow, type ReadRecord } from '../../core/read-records.js';
import { queryPooledRows } from '../../core/db/pooled-query.js';
import { namedStatement } from '../../core/db/statement-names.js';
import { normaliseFreeText } from '../../core/input-text.js';
import type { EndorseDemandInput, SubmitDemandInput, WithdrawDemandInput } from './demand.inputs.js';
import { SIMILAR_LIMIT, SIMILAR_MAX, SIMILAR_TITLE_MAX, type SimilarOpenDemandsArgs } from './demand.args.js';

/** pg_trgm's similarity above which an open demand counts as "looks the same" at submission. */
const SIMILARITY_THRESHOLD = 0.3;
const DAY_MS = 24 * 3_600_000;

/** Statuses a worker may still say "me too" to. */
const ENDORSABLE: readonly DemandStatus[] = [
  DemandStatus.OPEN,
  DemandStatus.CLAIMED,
  DemandStatus.IN_SERVICE,
];

/** Submission and the submitter's and workers' changes: submit, endorse ("me too"), withdraw. */
export class DemandSubmissionService extends DemandChanges {
  /**
   * A worker submits a demand (source WORKER), or union staff submit one on workers' behalf (source
   * UNION_SURVEY or ENTERPRISE) in a region inside their scope. The demand, its audit entry and its
   * DEMAND_PUBLISHED event commit together. The category and region are checked against the
   * process's reference data (reference-cache.ts), not read again from the database.
   */
  submit(ctx: Context, input: SubmitDemandInput): Promise<ReadRecord<Demand>> {
    return createOnce<ReadRecord<Demand>>(
      ctx,
      'submitDemand',
      input,
      (key) => this.submitOnce(ctx, input, key),
      (id) => ctx.em.findOneOrFail(Demand, { id }),
    );
  }

  private async submitOnce(
    ctx: Context,
    input: SubmitDemandInput,
    key: RetryKey | null,
  ): Promise<ReadRecord<Demand>> {
    const viewer = await this.viewers.requireFacts(ctx);
    const isUnionStaff = ctx.viewer?.roles.has(Role.UNION_STAFF) ?? false;
    const source = input.source ?? (viewer.isWorker ? DemandSource.WORKER : null);
    if (source === null)
      throw BadUserInputError.field('input.source', 'union staff must give UNION_SURVEY or ENTERPRISE');
    if (source === DemandSource.WORKER && !viewer.isWorker)
      throw new ForbiddenError('Only workers submit demands with source WORKER.');
    if (source !== DemandSource.WORKER && !isUnionStaff)
      throw new ForbiddenError('Only union staff submit demands on workers’ behalf.');

    const { reference } = ctx.services;
    const [category, region] = await Promise.all([
      reference.categories.find(ctx.em, input.categoryCode),
      reference.regions.find(ctx.em, input.regionCode),
    ]);
    const problems: FieldProblem[] = [];
    if (!category) problems.push({ path: 'input.categoryCode', message: 'no such service category' });
    if (!region) problems.push({ path: 'input.regionCode', message: 'no such region' });
    else if (region.level === RegionLevel.PROVINCE)
      problems.push({ path: 'input.regionCode', message: 'must be a city or a district, not a province' });
    if (problems.length || !category || !region) throw new BadUserInputError(problems);
    if (source !== DemandSource.WORKER && !inUnionScope(viewer, { regionPath: region.path }))
      throw new ForbiddenError('The region is outside your union’s scope.');

    const now = new Date();
    const targetGroups = normalizeTargetGroups(input.targetGroups ?? []);
    const actor = this.actor(ctx, ctx.em);
    const statement = key !== null ? SUBMIT_WITH_KEY : SUBMIT;
    const rows = queryPooledRows(
      ctx.em,
      statement.text,
      [
        ...(key !== null ? [key.userId, key.key, key.operation, key.inputHash] : []),
        input.title.trim(),
        input.description.trim(),
        category.code,
        pgTextArray(category.path),
        region.code,
        pgTextArray(region.path),
        pgTextArray(targetGroups),
        input.urgency ?? DemandUrgency.NORMAL,
        input.peopleAffected ?? 1,
        source,
        viewer.userId,
        input.anonymous ?? false,
        input.contact?.trim() || null,
        input.contactConsent ?? false,
        new Date(now.getTime() + this.limits.demandExpiryDays * DAY_MS),
        now,
        // The audit entry, as recordAudit writes it (its subject id is the demand's global id).
        actor.viewer?.userId ?? null,
        pgTextArray(actor.viewer ? [...actor.viewer.roles] : []),
        'demand.submit',
        JSON.stringify(globalIdsIn({ categoryCode: category.code, regionCode: region.code, source })),
        actor.requestId ?? null,
        // Its event, as emitEvents writes it.
        Topic.DEMAND_PUBLISHED,
      ],
      statement.name,
    );
    // Raw SQL skips the ORM's error conversion; converted as a flush's would be, a failure is logged
    // by class, SQLSTATE, constraint and table, never by its message with the values.
    const [row] = await rows.catch((error: Error) => {
      throw ctx.em.getDriver().convertException(error);
    });
    if (!row) {
      if (key === null) throw new Error('submitDemand: the insert returned no row');
      // The key was taken by an earlier request (committed: a concurrent one's insert waited on it);
      // createOnce answers its demand, or CONFLICT when it was made with another input.
      throw new KeyAlreadyUsed();
    }
    announceAfterCommit(ctx.em);
    // A read-only record, not a managed entity: nothing in this request changes the demand again, and
    // hydrating an entity (identity map, snapshot, a reference per relation) was the largest share of
    // the mutation's own CPU (docs/architecture.md, "Live path" 1).
    return RecordReader.for(ctx.em, Demand).record(ctx.em, row);
  }

  /**
   * OPEN demands in the same category and region as a just submitted one whose title is similar
   * (`findSimilarOpen`). Asked only when the client selects them, after the submission committed; so
   * it never fails: a failure is logged and the list is empty, and the client still learns that its
   * demand was created.
   */
  async similarOpen(
    ctx: Context,
    demand: ReadRecord<Demand>,
    properties: ReadonlySet<string> | null = null,
  ): Promise<ReadRecord<Demand>[]> {
    try {
      return await this.findSimilarOpen(
        ctx,
        {
          categoryCode: categoryCodeOf(demand),
          regionCode: regionCodeOf(demand),
          title: demand.title,
          limit: SIMILAR_LIMIT,
        },
        properties,
      );
    } catch (error) {
      ctx.log.error(
        { err: error, demandId: demand.id },
        'submitDemand: similar open demands failed after the demand was committed; answering none',
      );
      return [];
    }
  }

  /**
   * What a worker sees before she submits (`similarOpenDemands`): the OPEN demands of the category
   * and region she chose, narrowed to similar titles once she has typed one. The codes must exist,
   * as `submitDemand` requires.
   */
  async similarOpenBefore(
    ctx: Context,
    args: SimilarOpenDemandsArgs,
    properties: ReadonlySet<string> | null = null,
  ): Promise<ReadRecord<Demand>[]> {
    const problems: FieldProblem[] = [];
    const title = args.title == null ? '' : normaliseFreeText(args.title);
    if (title.length > SIMILAR_TITLE_MAX)
      problems.push({ path: 'title', message: `must be at most ${SIMILAR_TITLE_MAX} characters` });
    const first = args.first ?? SIMILAR_LIMIT;
    if (first < 1 || first > SIMILAR_MAX)
      problems.push({ path: 'first', message: `must be 1 to ${SIMILAR_MAX}` });
    const { reference } = ctx.services;
    const [category, region] = await Promise.all([
      reference.categories.find(ctx.em, args.categoryCode),
      /^\d{6}$/.test(args.regionCode) ? reference.regions.find(ctx.em, args.regionCode) : null,
    ]);
    if (!category) problems.push({ path: 'categoryCode', message: 'no such service category' });
    if (!region) problems.push({ path: 'regionCode', message: 'no such region' });
    if (problems.length) throw new BadUserInputError(problems);
    return this.findSimilarOpen(
      ctx,
      {
        categoryCode: args.categoryCode,
        regionCode: args.regionCode,
        title: title || null,
        limit: first,
      },
      properties,
    );
  }

  /**
   * The one search behind both lists: OPEN demands of exactly this category and region (the partial
   * index of open demands by category and region serves it), never the viewer's own (she cannot
   * endorse them), with a pg_trgm-similar title when a title is given; the most endorsed first, then
   * the newest. Records of `properties` (null: all); the contact stays behind `Demand.contact`'s rule.
   */
  private async findSimilarOpen(
    ctx: Context,
    query: { categoryCode: string; regionCode: string; title: string | null; limit: number },
    properties: ReadonlySet<string> | null,
  ): Promise<ReadRecord<Demand>[]> {
    const reader = RecordReader.for(ctx.em, Demand).only(properties);
    const byTitle = query.title === null ? '' : 'and similarity(d.title, ?) >= ?';
    const rows = await ctx.em.getConnection().execute<RawRow[]>(
      `select ${reader.selectList('d')} from "demand" as "d"
        where d.status = 'OPEN' and d.category_code = ? and d.region_code = ? and d.submitted_by_id <> ?
          ${byTitle}
        order by d.endorsement_count desc, d.created_at desc, d.id desc
        limit ?`,
      [
        query.categoryCode,
        query.regionCode,
        ctx.viewer?.userId ?? 0,
        ...(query.title === null ? [] : [query.title, SIMILARITY_THRESHOLD]),
        query.limit,
      ],
    );
    return rows.map((row) => reader.record(ctx.em, row));
  }

  /** "Me too": once per worker; adds one to the endorsement count and to the people affected. */
  endorse(ctx: Context, input: EndorseDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, async (em, demand, viewer) => {
      if (demand.submittedBy.id === viewer.userId)
        throw new ConflictError('You submitted this demand; endorse other workers’ demands.');
      if (!ENDORSABLE.includes(demand.status))
        throw new ConflictError(`The demand is ${demand.status}; it can no longer be endorsed.`, {
          currentStatus: demand.status,
        });
      // The demand row is locked, so this check and the insert cannot race for one worker.
      if ((await em.count(DemandEndorsement, { demand: demand.id, worker: viewer.userId })) > 0)
        throw new ConflictError('You have already endorsed this demand.');
      em.create(DemandEndorsement, {
        demand: ref(demand),
        worker: ref(em.getReference(User, viewer.userId)),
      });
      demand.endorsementCount += 1;
      demand.peopleAffected += 1;
      return { action: 'demand.endorse', summary: { endorsementCount: demand.endorsementCount } };
    });
  }

  /** The submitter takes the demand back. */
  withdraw(ctx: Context, input: WithdrawDemandInput): Promise<Demand> {
    return this.change(ctx, input.demandId, (_em, demand, viewer) => {
      if (demand.submittedBy.id !== viewer.userId)
        throw new ForbiddenError('Only the submitter may withdraw a demand.');
      demand.transitionTo(DemandStatus.WITHDRAWN);
      return { action: 'demand.withdraw', summary: {} };
    });
  }
}

/**
 * `submitDemand` in one autocommitted statement (docs/architecture.md, "Live path"): the idempotency
 * key when given (first: on a conflict nothing else is written, and the statement returns no row;
 * the row is the one `RetryKey.record` writes for the other creating mutations), the demand, its
 * audit entry and its DEMAND_PUBLISHED event. The demand's id is taken first so the key's row
 * can name it.
 * The event's insert reads the demand's, so the transaction owns its id before the event takes
 * its seq, as the relay requires (outbox.ts, insertEventsSql). Parameters: see `submitOnce`.
 *
 * It runs straight through node-postgres as a named prepared statement (db/pooled-query.ts): through
 * the ORM's `execute`, formatting its 22 values into the SQL text and knex's raw-query path cost the
 * server more CPU than the rest of the mutation's own code, and PostgreSQL parsed and planned the
 * five-part statement anew for every demand.
 */
function submitStatement(withKey: boolean): string {
  const source = withKey
    ? `"key" as (
         insert into "idempotency_key" ("user_id", "key", "operation", "input_hash", "entity_id")
         select ?, ?, ?, ?, "ids"."id" from "ids" on conflict do nothing returning "entity_id" as "id")`
    : `"key" as (select "id" from "ids")`;
  return `with "ids" as materialized (select nextval(pg_get_serial_sequence('"demand"', 'id')) as "id"),
    ${source},
    "d" as (
      insert into "demand" ("id", "title", "description", "category_code", "category_path", "region_code",
        "region_path", "target_groups", "urgency", "people_affected", "source", "submitted_by_id",
        "anonymous", "contact", "contact_consent", "expires_at", "created_at", "updated_at")
      select "key"."id", ?, ?, ?, ?::text[], ?, ?::text[], ?::text[], ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, now()
        from "key"
      returning *),
    "audit" as (
      insert into "audit_entry" ("actor_id", "actor_roles", "action", "subject_id", "subject_type", "summary", "request_id")
      select ?, ?::text[], ?, translate(encode(convert_to('Demand:' || "d"."id", 'UTF8'), 'base64'), E'+/=\n', '-_'),
             'Demand', ?::jsonb, ? from "d"),
    "published" as (
      insert into "event" ("topic", "entity_id", "category_path", "region_path", "target_groups", "created_at")
      select ?, "d"."id", "d"."category_path", "d"."region_path", "d"."target_groups", now() from "d")
    select * from "d"`;
}

const SUBMIT = namedStatement('submit_demand', submitStatement(false));
const SUBMIT_WITH_KEY = namedStatement('submit_demand_keyed', submitStatement(true));
