/**
 * Set-based passes over what the batches wrote: hub membership and ratings. Each is one statement
 * and idempotent.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { seedEmailPattern } from './accounts.js';

/**
 * About a third of the seed's verified, non-hub organizations join a verified hub of their city
 * (or of the province where the city has none; chosen by a hash of the credit code, so the choice is
 * stable), with an ACCEPTED membership request
 * on record. Organizations that already have a hub are left alone.
 *
 * @returns how many organizations joined a hub
 */
export async function linkHubMembers(db: Knex, seed: number, provinceCode: string): Promise<number> {
  const hashOf = (expr: string) => `('x' || substr(md5(${expr}), 1, 7))::bit(28)::int`;
  const { rows } = (await db.raw(
    `with hubs as (
       select o.id, coalesce(r.path[2], r.path[1]) as scope,
              row_number() over (partition by coalesce(r.path[2], r.path[1]) order by o.credit_code) as n,
              count(*) over (partition by coalesce(r.path[2], r.path[1])) as total
         from organization o join region r on r.code = o.home_region_code
        where o.is_hub and o.verification_status = 'VERIFIED'),
     joining as (
       select o.id, r.path[2] as city, ${hashOf('o.credit_code')} as h
         from organization o
         join region r on r.code = o.home_region_code
        where o.hub_id is null and not o.is_hub and o.verification_status = 'VERIFIED'
          and ${hashOf(`o.credit_code || ':hub'`)} % 100 < 35
          and exists (select 1 from organization_member m join app_user u on u.id = m.user_id
                       where m.organization_id = o.id and m.role = 'ORG_ADMIN' and u.email like ?)),
     chosen as (
       select j.id, h.id as hub_id
         from joining j
         -- The city's hubs, or the province's where the city has none.
         cross join lateral (select case when exists (select 1 from hubs where scope = j.city) then j.city
                                         else ? end as scope) s
         join hubs h on h.scope = s.scope and h.n = 1 + j.h % h.total),
     joined as (
       update organization o set hub_id = c.hub_id from chosen c where o.id = c.id returning o.id, o.hub_id)
     insert into hub_membership_request (organization_id, hub_id, status, reason, decided_at, created_at)
     select id, hub_id, 'ACCEPTED', '欢迎加入联合会', now(), now() from joined
     returning id`,
    [seedEmailPattern(seed), provinceCode],
  )) as { rows: unknown[] };
  return rows.length;
}

/** Sets every organization's rating sum and count from the ratings of the needs it served. */
export async function refreshRatings(db: Knex): Promise<void> {
  await db.raw(
    `update organization o set rating_sum = s.total, rating_count = s.n
       from (select claimed_by_id as id, sum(rating)::int as total, count(rating)::int as n
               from demand where rating is not null and claimed_by_id is not null group by claimed_by_id) s
      where o.id = s.id and (o.rating_sum, o.rating_count) is distinct from (s.total, s.n)`,
  );
}
