import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../shared/format.js';
import type { CreditCodeFindings } from './admin-types.js';

/**
 * What the hub found in the credit code when the organization registered or last changed its profile
 * (its check character, civil-affairs authority and kind against the declared kind), and the
 * registration authority's division code in it (characters 3–8) beside the home region, for the
 * reviewer to compare.
 */
export function CreditCodeCheck({
  check,
  homeRegionCode,
  providerKind = 'SOCIAL_ORGANIZATION',
}: {
  check: CreditCodeFindings | null;
  homeRegionCode: string;
  providerKind?: string;
}) {
  const { t } = useTranslation();
  if (!check)
    return (
      <span data-testid="credit-code-check">
        <Tag>{t('admin.creditCode.notChecked')}</Tag>
      </span>
    );
  const region = check.registrationRegionCode;
  const sameRegion = region !== null && homeRegionCode.startsWith(region.replace(/0+$/, ''));
  return (
    <span data-testid="credit-code-check">
      <Tag>
        {check.problem
          ? t(`admin.creditCode.${check.problem}`)
          : t('admin.creditCode.valid', {
              // A social organization's legal form; the other kinds' codes carry none.
              kind:
                providerKind === 'SOCIAL_ORGANIZATION'
                  ? t(`admin.kind.${check.kind ?? 'OTHER'}`)
                  : t(`org.providerKind.${providerKind}`),
            })}
      </Tag>{' '}
      {region &&
        t(sameRegion ? 'admin.creditCode.regionMatches' : 'admin.creditCode.regionDiffers', {
          code: region,
        })}{' '}
      {t('admin.creditCode.checkedAt', { at: formatDateTime(check.checkedAt) })}
    </span>
  );
}
