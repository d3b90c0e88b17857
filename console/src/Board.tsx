import { useCallback, useEffect, useState } from 'react';
import { request } from './shared/api.js';
import { emptyBoard, upsertDemands, type BoardDemand, type BoardState } from './board-state.js';
import { followDemands, type FeedStatus } from './shared/feed.js';
import { CLAIM_DEMAND, OPEN_DEMANDS } from './operations.js';
import { myOrganizationFor, organizationByCreditCode, type ActingOrganization } from './organization.js';
import type { Session } from './shared/session.js';
import { useSignedIn } from './shared/session-context.js';

const URGENCY_LABEL: Record<string, string> = { URGENT: '紧急', HIGH: '高', NORMAL: '一般', LOW: '低' };
const STATUS_LABEL: Record<FeedStatus, string> = {
  connecting: '连接中 connecting',
  live: '实时 live',
  reconnecting: '重连中 reconnecting',
  failed: '已停止 stopped',
};
const ORG_KEY = 'niudai.console.creditCode';

/**
 * The live demand board of an organization: the demands it can serve arrive over graphql-ws, each
 * with category, region, urgency and endorsements, and a button to claim it.
 */
export function Board({ session }: { session: Session }) {
  const { token, viewer } = session;
  const [board, setBoard] = useState<BoardState>(emptyBoard);
  const [status, setStatus] = useState<{ status: FeedStatus; detail?: string }>({ status: 'connecting' });
  const [org, setOrg] = useState<ActingOrganization | null>(null);
  const [creditCode, setCreditCode] = useState(() => localStorage.getItem(ORG_KEY) ?? '');
  const [message, setMessage] = useState<string | null>(null);

  useEffect(
    () =>
      followDemands(token, {
        onEvent: (demand, cursor) => setBoard((b) => upsertDemands(b, [demand], cursor)),
        onStatus: (s, detail) => setStatus({ status: s, detail }),
      }),
    [token],
  );

  const adoptOrganization = useCallback(
    async (found: ActingOrganization) => {
      setOrg(found);
      const data = await request<{ demands: { edges: { node: BoardDemand }[] } }>(
        OPEN_DEMANDS,
        { organizationId: found.id },
        token,
      );
      setBoard((b) =>
        upsertDemands(
          b,
          data.demands.edges.map((e) => e.node),
        ),
      );
    },
    [token],
  );

  const chooseOrganization = async () => {
    setMessage(null);
    try {
      const found = await organizationByCreditCode(token, creditCode.trim());
      if (!found) return setMessage('没有这个组织 No organization with that credit code.');
      localStorage.setItem(ORG_KEY, creditCode.trim());
      await adoptOrganization(found);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  const claim = async (demand: BoardDemand) => {
    setMessage(null);
    try {
      const acting = org ?? (await myOrganizationFor(token, viewer.id, demand.id));
      if (!acting) return setMessage('找不到您所在的组织 Enter your organization’s credit code first.');
      if (!org) setOrg(acting);
      const data = await request<{ claimDemand: { demand: BoardDemand } }>(
        CLAIM_DEMAND,
        { input: { demandId: demand.id, organizationId: acting.id } },
        token,
      );
      setBoard((b) => upsertDemands(b, [data.claimDemand.demand]));
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section className="board">
      <header>
        <span className={`feed-status ${status.status}`} data-testid="feed-status">
          {STATUS_LABEL[status.status]}
          {status.detail ? ` — ${status.detail}` : ''}
        </span>
        <span className="acting" data-testid="acting-organization">
          {org ? `代表 Acting for: ${org.name}` : ''}
        </span>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void chooseOrganization();
          }}
        >
          <input
            placeholder="统一社会信用代码 credit code"
            value={creditCode}
            onChange={(e) => setCreditCode(e.target.value)}
          />
          <button type="submit" disabled={!creditCode.trim()}>
            选择组织 Use
          </button>
        </form>
      </header>
      {message && <p className="error">{message}</p>}
      {board.demands.length === 0 && <p className="empty">等待新需求… Waiting for demands…</p>}
      <ul className="demands">
        {board.demands.map((d) => (
          <DemandCard key={d.id} demand={d} onClaim={() => void claim(d)} />
        ))}
      </ul>
    </section>
  );
}

/** One demand on the board. */
function DemandCard({ demand, onClaim }: { demand: BoardDemand; onClaim: () => void }) {
  return (
    <li className={`demand urgency-${demand.urgency}`} data-demand-id={demand.id}>
      <h3>{demand.title}</h3>
      <dl>
        <dt>类别 Category</dt>
        <dd>{demand.category.name}</dd>
        <dt>地区 Region</dt>
        <dd>{demand.region.name}</dd>
        <dt>紧急 Urgency</dt>
        <dd>
          {URGENCY_LABEL[demand.urgency] ?? demand.urgency} {demand.urgency}
        </dd>
        <dt>附议 Endorsements</dt>
        <dd>{demand.endorsementCount}</dd>
        <dt>人数 People</dt>
        <dd>{demand.peopleAffected}</dd>
      </dl>
      <p className="demand-status" data-testid="demand-status">
        {demand.status}
        {demand.claimedBy ? ` · ${demand.claimedBy.name}` : ''}
      </p>
      {demand.status === 'OPEN' && (
        <button type="button" onClick={onClaim}>
          认领 Claim
        </button>
      )}
    </li>
  );
}

/** The board as a routed screen, for the signed-in member. */
export function BoardScreen() {
  return <Board session={useSignedIn()} />;
}
