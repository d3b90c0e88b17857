import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  checkCreditCode,
  kindOfCreditCode,
  type OrganizationKindCode,
} from '../../../src/modules/organizations/credit-code.js';

/**
 * The credit code checked again as the reviewer reads it — the hub's own rules (check character,
 * civil-affairs authority, kind against the declared kind) — and the registration authority's
 * division code in it (characters 3–8) beside the home region, for the reviewer to compare.
 */
export function CreditCodeCheck({
  creditCode,
  kind,
  homeRegionCode,
}: {
  creditCode: string;
  kind: string;
  homeRegionCode: string;
}) {
  const { t } = useTranslation();
  const problem = checkCreditCode(creditCode, kind as OrganizationKindCode);
  const authorityRegion = creditCode.slice(2, 8);
  const sameRegion = homeRegionCode.startsWith(authorityRegion.replace(/0+$/, ''));
  return (
    <span data-testid="credit-code-check">
      {problem ? (
        <Tag>{t(`admin.creditCode.${problem.reason}`)}</Tag>
      ) : (
        <Tag>
          {t('admin.creditCode.valid', { kind: t(`admin.kind.${kindOfCreditCode(creditCode) ?? kind}`) })}
        </Tag>
      )}{' '}
      {t(sameRegion ? 'admin.creditCode.regionMatches' : 'admin.creditCode.regionDiffers', {
        code: authorityRegion,
      })}
    </span>
  );
}
