import { useEffect, useState } from 'react';
import { ApiError, request } from './shared/api.js';
import { totalsByRegion, type GapReport } from './gap-report.js';
import { GapChart } from './GapChart.js';
import { SUPPLY_DEMAND_GAP } from './operations.js';
import type { Session } from './shared/session.js';
import { useSignedIn } from './shared/session-context.js';

const show = (n: number | null): string => (n == null ? '—' : String(n));

/**
 * The supply–demand gap (供需错位) of the viewer's region scope: a table of every child region ×
 * child category, and a chart of workers waiting against capacity by region.
 */
export function Gap({ session }: { session: Session }) {
  const [report, setReport] = useState<GapReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const regionCode = session.viewer.regionScope?.code ?? null;

  useEffect(() => {
    let current = true;
    request<{ supplyDemandGap: GapReport }>(SUPPLY_DEMAND_GAP, { regionCode }, session.token)
      .then((data) => current && setReport(data.supplyDemandGap))
      .catch((e: unknown) => {
        if (!current) return;
        // A hub without the report answers GRAPHQL_VALIDATION_FAILED: say so plainly.
        if (e instanceof ApiError && e.code === 'GRAPHQL_VALIDATION_FAILED')
          setError('This hub does not offer the supply–demand gap report.');
        else setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [regionCode, session.token]);

  if (error) return <p className="error">{error}</p>;
  if (!report) return <p>加载中… Loading…</p>;
  const cells = report.cells.filter((c) => c.servingOrganizations > 0 || (c.openDemands ?? 0) > 0);
  return (
    <section className="gap">
      <h2>供需错位 Supply–demand gap: {report.region?.name ?? '全部 all provinces'}</h2>
      <GapChart rows={totalsByRegion(report.cells)} />
      <table>
        <thead>
          <tr>
            <th>地区 Region</th>
            <th>类别 Category</th>
            <th>待办需求 Open</th>
            <th>涉及人数 People</th>
            <th>服务组织 Orgs</th>
            <th>月能力 Capacity</th>
            <th>缺口 Gap</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((c) => (
            <tr key={`${c.region.code}/${c.category.code}`}>
              <td>{c.region.name}</td>
              <td>{c.category.name}</td>
              <td>{c.suppressed ? '<' + report.suppressionThreshold : show(c.openDemands)}</td>
              <td>{show(c.peopleAffected)}</td>
              <td>{c.servingOrganizations}</td>
              <td>{c.monthlyCapacity}</td>
              <td>{c.gapScore == null ? '—' : c.gapScore.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cells.length === 0 && <p className="empty">No demand and no supply in this region yet.</p>}
      <p className="note">Generated {new Date(report.generatedAt).toLocaleString()}</p>
    </section>
  );
}

/** The gap report as a routed screen, for signed-in staff. */
export function GapScreen() {
  return <Gap session={useSignedIn()} />;
}
