import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, request } from './shared/api.js';
import { totalsByRegion, type GapReport } from './gap-report.js';
import { GapChart } from './GapChart.js';
import { SUPPLY_DEMAND_GAP } from './operations.js';
import { formatDateTime } from './shared/format.js';
import type { Session } from './shared/session.js';
import { useSignedIn } from './shared/session-context.js';

const show = (n: number | null): string => (n == null ? '—' : String(n));

/**
 * The supply–demand gap (供需错位) of the viewer's region scope: a table of every child region ×
 * child category, and a chart of workers waiting against capacity by region.
 */
export function Gap({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const english = i18n.language === 'en';
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
          setError(t('staff.gap.unavailable'));
        else setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [regionCode, session.token]);

  if (error) return <p className="error">{error}</p>;
  if (!report) return <p>{t('common.loading')}</p>;
  const named = <T extends { name: string; nameEn?: string }>(item: T): T =>
    english && item.nameEn ? { ...item, name: item.nameEn } : item;
  const shown = report.cells.map((c) => ({ ...c, region: named(c.region), category: named(c.category) }));
  const cells = shown.filter((c) => c.servingOrganizations > 0 || (c.openDemands ?? 0) > 0);
  return (
    <section className="gap">
      <h2>
        {t('staff.gap.title', {
          region: report.region ? named(report.region).name : t('staff.gap.allProvinces'),
        })}
      </h2>
      <GapChart rows={totalsByRegion(shown)} />
      <table>
        <thead>
          <tr>
            <th>{t('staff.gap.region')}</th>
            <th>{t('staff.gap.category')}</th>
            <th>{t('staff.gap.open')}</th>
            <th>{t('staff.gap.people')}</th>
            <th>{t('staff.gap.orgs')}</th>
            <th>{t('staff.gap.capacity')}</th>
            <th>{t('staff.gap.gap')}</th>
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
      {cells.length === 0 && <p className="empty">{t('staff.gap.empty')}</p>}
      <p className="note">{t('staff.gap.generated', { at: formatDateTime(report.generatedAt) })}</p>
    </section>
  );
}

/** The gap report as a routed screen, for signed-in staff. */
export function GapScreen() {
  return <Gap session={useSignedIn()} />;
}
