import { useTranslation } from 'react-i18next';
import type { RegionTotals } from './gap-report.js';

const ROW = 26;
const LABEL = 110;
const WIDTH = 560;

/**
 * A horizontal bar chart drawn in SVG: per region, workers waiting (dark) against monthly capacity
 * (light), on one shared scale.
 */
export function GapChart({ rows }: { rows: RegionTotals[] }) {
  const { t } = useTranslation();
  const max = Math.max(1, ...rows.flatMap((r) => [r.people, r.capacity]));
  const scale = (n: number) => ((WIDTH - LABEL - 60) * n) / max;
  const height = rows.length * ROW + 24;
  return (
    <svg
      className="gap-chart"
      role="img"
      aria-label={t('staff.gap.chartLabel')}
      width={WIDTH}
      height={height}
      viewBox={`0 0 ${WIDTH} ${height}`}
    >
      {rows.map((r, i) => {
        const y = i * ROW;
        return (
          <g key={r.code} transform={`translate(0, ${y})`}>
            <text x={0} y={15} className="label">
              {r.name}
            </text>
            <rect x={LABEL} y={3} width={scale(r.people)} height={9} className="people" />
            <rect x={LABEL} y={13} width={scale(r.capacity)} height={9} className="capacity" />
            <text x={LABEL + Math.max(scale(r.people), scale(r.capacity)) + 4} y={17} className="value">
              {r.people} / {r.capacity}
            </text>
          </g>
        );
      })}
      <g transform={`translate(${LABEL}, ${rows.length * ROW + 8})`}>
        <rect width={10} height={10} className="people" />
        <text x={14} y={9} className="legend">
          {t('staff.gap.waiting')}
        </text>
        <rect x={120} width={10} height={10} className="capacity" />
        <text x={134} y={9} className="legend">
          {t('staff.gap.monthlyCapacity')}
        </text>
      </g>
    </svg>
  );
}
