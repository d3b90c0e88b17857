import type {
  BotClaimDemandMutation,
  BotClaimDemandMutationVariables,
  BotOrganizationQuery,
  BotOrganizationQueryVariables,
  BotSignInMutation,
  BotSignInMutationVariables,
} from './generated/graphql.js';
import { followDemands, type DemandEvent, type Feed } from './feed.js';
import { describe, HubError, request, untilAnswered } from './http.js';
import { CLAIM_DEMAND, ORGANIZATION, SIGN_IN } from './operations.js';

export interface BotOptions {
  /** The hub's base URL, e.g. http://localhost:4000. */
  hubUrl: string;
  login: string;
  password: string;
  /** The organization (its unified social credit code) the bot claims for. */
  creditCode: string;
  /** Claims demands of this category and its subcategories, e.g. LIFE.CHILDCARE. */
  categoryCode: string;
  /** Resume after this cursor (stored from an earlier run). */
  after?: string | null;
  /** Called with each cursor once its event is handled: store it to resume after a restart. */
  saveCursor?: (cursor: string) => void;
  log?: (message: string) => void;
  /** Longest wait between retries (ms); 30 s by default. */
  maxBackoffMs?: number;
}

/** A running bot. */
export interface Bot extends Feed {
  /** Demands this run claimed, by id. */
  claimed: string[];
  /** Settles when the bot stops: resolves after `stop()`, rejects with the refusal that stopped it. */
  done: Promise<void>;
}

/** Codes meaning another organization was faster, or the demand is no longer open. */
const LOST_RACE = new Set(['CONFLICT', 'NOT_FOUND']);

/**
 * Signs in, finds its organization, and claims every new demand of one category the hub pushes to
 * it, resuming after the last handled cursor across reconnections. It stops only when the hub
 * refuses it (UNAUTHENTICATED, FORBIDDEN): a hub or database restart is waited out.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const log = options.log ?? ((message: string) => console.log(message));
  const httpUrl = `${options.hubUrl.replace(/\/$/, '')}/graphql`;
  const wsUrl = httpUrl.replace(/^http/, 'ws');

  // The hub (or its database) may be restarting: passing failures are retried, refusals thrown.
  const signIn = () =>
    untilAnswered(
      'signing in',
      async () =>
        (
          await request<BotSignInMutation, BotSignInMutationVariables>(httpUrl, SIGN_IN, {
            input: { login: options.login, password: options.password },
          })
        ).signIn,
      log,
      options.maxBackoffMs,
    );
  let session = await signIn();
  const { organization } = await untilAnswered(
    'finding the organization',
    () =>
      request<BotOrganizationQuery, BotOrganizationQueryVariables>(
        httpUrl,
        ORGANIZATION,
        { creditCode: options.creditCode },
        session.token,
      ),
    log,
    options.maxBackoffMs,
  );
  if (!organization) throw new Error(`no organization with credit code ${options.creditCode}`);
  log(
    `signed in as ${session.viewer.displayName} for ${organization.name} (${organization.verificationStatus})`,
  );

  const claimed: string[] = [];
  const claim = async ({ demand }: DemandEvent) => {
    if (demand.status !== 'OPEN') return;
    try {
      const { claimDemand } = await request<BotClaimDemandMutation, BotClaimDemandMutationVariables>(
        httpUrl,
        CLAIM_DEMAND,
        { input: { demandId: demand.id, organizationId: organization.id } },
        session.token,
      );
      claimed.push(claimDemand.demand.id);
      log(`claimed ${demand.title} (${demand.category.name}, ${demand.region.name}, ${demand.urgency})`);
    } catch (error) {
      if (error instanceof HubError && LOST_RACE.has(error.code))
        log(`not claimed: ${demand.title}: ${error.message}`);
      // Anything else: the feed reconnects (a passing failure: the hub replays this event, and
      // the claim is tried again) or stops (a refusal).
      else throw error;
    }
  };

  const feed = followDemands({
    wsUrl,
    token: session.token,
    renewToken: async () => (session = await signIn()).token,
    filter: { categoryCode: options.categoryCode },
    after: options.after,
    onEvent: claim,
    onCursor: options.saveCursor,
    log,
    maxBackoffMs: options.maxBackoffMs,
  });
  feed.done.catch((error: unknown) => log(`stopped: ${describe(error)}`));
  return { claimed, stop: feed.stop, cursor: feed.cursor, done: feed.done };
}
