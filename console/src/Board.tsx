import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from './shared/api.js';
import { emptyBoard, upsertDemands, type BoardState } from './board-state.js';
import type { DemandCard } from './shared/fragments.js';
import { followDemands, type FeedStatus } from './shared/feed.js';
import { CLAIM_DEMAND, OPEN_DEMANDS } from './operations.js';
import { DesktopPage } from './shared/desktop.js';
import { errorText } from './shared/errors.js';
import { Page } from './shared/Layout.js';
import { ActingOrganization, type Acting } from './org/acting.js';
import { localName } from './shared/format.js';

/**
 * The live demand board of an organization: the demands it can serve arrive over graphql-ws, each
 * with category, region, urgency and endorsements, and a button to claim it for the organization
 * the member acts for.
 */
export function Board({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const { token } = acting.session;
  const organizationId = acting.organization.id;
  const [board, setBoard] = useState<BoardState>(emptyBoard);
  const [status, setStatus] = useState<{ status: FeedStatus; detail?: string }>({ status: 'connecting' });
  const [message, setMessage] = useState<string | null>(null);

  useEffect(
    () =>
      followDemands(token, {
        onEvent: (demand, cursor) => setBoard((b) => upsertDemands(b, [demand], cursor)),
        onStatus: (s, detail) => setStatus({ status: s, detail }),
      }),
    [token],
  );

  // What was already open when the board opened; what comes later arrives over the feed.
  useEffect(() => {
    request<{ demands: { edges: { node: DemandCard }[] } }>(OPEN_DEMANDS, { organizationId }, token)
      .then((data) =>
        setBoard((b) =>
          upsertDemands(
            b,
            data.demands.edges.map((e) => e.node),
          ),
        ),
      )
      .catch((e: unknown) => setMessage(errorText(e, t)));
  }, [organizationId, token, t]);

  const claim = async (demand: DemandCard) => {
    setMessage(null);
    try {
      const data = await request<{ claimDemand: { demand: DemandCard } }>(
        CLAIM_DEMAND,
        { input: { demandId: demand.id, organizationId } },
        token,
      );
      setBoard((b) => upsertDemands(b, [data.claimDemand.demand]));
    } catch (e) {
      setMessage(errorText(e, t));
    }
  };

  return (
    <Page title={t('common.nav.board')}>
      <section className="board">
        <header>
          <span className={`feed-status ${status.status}`} data-testid="feed-status">
            {t(`common.live.${status.status}`)}
            {status.detail ? ` — ${status.detail}` : ''}
          </span>
          <span className="acting" data-testid="acting-organization">
            {t('org.board.actingFor', { name: acting.organization.name })}
          </span>
        </header>
        {message && (
          <p className="error" role="alert">
            {message}
          </p>
        )}
        {board.demands.length === 0 && <p className="empty">{t('org.board.waiting')}</p>}
        <ul className="demands">
          {board.demands.map((d) => (
            <li key={d.id} className={`demand urgency-${d.urgency}`} data-demand-id={d.id}>
              <h3>{d.title}</h3>
              <dl>
                <dt>{t('org.board.category')}</dt>
                <dd>{localName(d.category)}</dd>
                <dt>{t('org.board.region')}</dt>
                <dd>{localName(d.region)}</dd>
                <dt>{t('org.board.urgency')}</dt>
                <dd>{t(`org.urgency.${d.urgency}`)}</dd>
                <dt>{t('org.board.endorsements')}</dt>
                <dd>{d.endorsementCount}</dd>
                <dt>{t('org.board.people')}</dt>
                <dd>{d.peopleAffected}</dd>
              </dl>
              <p className="demand-status" data-testid="demand-status">
                {t(`org.demandStatus.${d.status}`)}
                {d.claimedBy ? ` · ${d.claimedBy.name}` : ''}
              </p>
              {d.status === 'OPEN' && (
                <button type="button" onClick={() => void claim(d)}>
                  {t('org.board.claim')}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}

/** The board as a routed screen: for the organization the signed-in member acts for. */
export function BoardScreen() {
  return (
    <DesktopPage>
      <ActingOrganization>{(acting) => <Board acting={acting} />}</ActingOrganization>
    </DesktopPage>
  );
}
