import type {
  BotClaimDemandMutation,
  BotClaimDemandMutationVariables,
  BotOrganizationQuery,
  BotOrganizationQueryVariables,
  BotSignInMutation,
  BotSignInMutationVariables,
} from './generated/graphql.js';
import { followDemands, type DemandEvent, type Feed } from './feed.js';
import { HubError, request } from './http.js';
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
}

/** A running bot. */
export interface Bot extends Feed {
  /** Demands this run claimed, by id. */
  claimed: string[];
}

/** Codes meaning another organization was faster, or the demand is no longer open. */
const LOST_RACE = new Set(['CONFLICT', 'NOT_FOUND']);

/**
 * Signs in, finds its organization, and claims every new demand of one category the hub pushes to
 * it, resuming after the last handled cursor across reconnections.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const log = options.log ?? ((message: string) => console.log(message));
  const httpUrl = `${options.hubUrl.replace(/\/$/, '')}/graphql`;
  const wsUrl = httpUrl.replace(/^http/, 'ws');

  const { signIn } = await request<BotSignInMutation, BotSignInMutationVariables>(httpUrl, SIGN_IN, {
    input: { login: options.login, password: options.password },
  });
  const { organization } = await request<BotOrganizationQuery, BotOrganizationQueryVariables>(
    httpUrl,
    ORGANIZATION,
    { creditCode: options.creditCode },
    signIn.token,
  );
  if (!organization) throw new Error(`no organization with credit code ${options.creditCode}`);
  log(
    `signed in as ${signIn.viewer.displayName} for ${organization.name} (${organization.verificationStatus})`,
  );

  const claimed: string[] = [];
  const claim = async ({ demand }: DemandEvent) => {
    if (demand.status !== 'OPEN') return;
    try {
      const { claimDemand } = await request<BotClaimDemandMutation, BotClaimDemandMutationVariables>(
        httpUrl,
        CLAIM_DEMAND,
        { input: { demandId: demand.id, organizationId: organization.id } },
        signIn.token,
      );
      claimed.push(claimDemand.demand.id);
      log(`claimed ${demand.title} (${demand.category.name}, ${demand.region.name}, ${demand.urgency})`);
    } catch (error) {
      if (error instanceof HubError && LOST_RACE.has(error.code))
        log(`not claimed: ${demand.title}: ${error.message}`);
      else throw error;
    }
  };

  const feed = followDemands({
    wsUrl,
    token: signIn.token,
    filter: { categoryCode: options.categoryCode },
    after: options.after,
    onEvent: claim,
    onCursor: options.saveCursor,
    log,
  });
  feed.done.catch((error: unknown) =>
    log(`stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
  return { claimed, stop: feed.stop, cursor: feed.cursor };
}
