import { useTranslation } from 'react-i18next';

/** One founding type's shares (0–1, null when undefined) as the chart draws them. */
export interface FairnessShares {
  foundingType: string;
  eligibleShare: number | null;
  applicationShare: number | null;
  moneyShare: number | null;
}

const ROW = 44;
const LABEL = 130;
const WIDTH = 600;
const BAR = 11;
const SERIES = ['eligibleShare', 'applicationShare', 'moneyShare'] as const;

/**
 * Per founding type, in SVG like the gap chart: its share of the eligible organizations, of the
 * applications and of the money awarded, on one 0–100 % scale, so a tilt shows as a money bar longer
 * than the other two.
 */
export function FairnessChart({ rows }: { rows: FairnessShares[] }) {
  const { t } = useTranslation();
  const scale = (share: number | null) => ((WIDTH - LABEL - 60) * (share ?? 0)) / 1;
  const height = rows.length * ROW + 28;
  return (
    <svg
      className="fairness-chart"
      role="img"
      aria-label={t('staff.fairness.chartLabel')}
      width={WIDTH}
      height={height}
      viewBox={`0 0 ${WIDTH} ${height}`}
    >
      {rows.map((row, i) => (
        <g key={row.foundingType} transform={`translate(0, ${i * ROW})`}>
          <text x={0} y={20} className="label">
            {t(`staff.foundingType.${row.foundingType}`)}
          </text>
          {SERIES.map((series, j) => (
            <g key={series}>
              <rect
                x={LABEL}
                y={4 + j * (BAR + 1)}
                width={scale(row[series])}
                height={BAR}
                className={series}
              />
              <text x={LABEL + scale(row[series]) + 4} y={4 + j * (BAR + 1) + 9} className="value">
                {row[series] == null ? '—' : `${Math.round((row[series] ?? 0) * 100)}%`}
              </text>
            </g>
          ))}
        </g>
      ))}
      <g transform={`translate(${LABEL}, ${rows.length * ROW + 10})`}>
        {SERIES.map((series, j) => (
          <g key={series} transform={`translate(${j * 150}, 0)`}>
            <rect width={10} height={10} className={series} />
            <text x={14} y={9} className="legend">
              {t(`staff.fairness.${series}`)}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
