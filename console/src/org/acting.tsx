import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Form, Select, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../shared/api.js';
import { errorText } from '../shared/errors.js';
import type { Session } from '../shared/session.js';
import { useSignedIn } from '../shared/session-context.js';
import { MY_MEMBERSHIPS } from './operations.js';

/** The viewer's place in one organization. */
export interface Membership {
  role: 'ORG_ADMIN' | 'ORG_MEMBER';
  organization: { id: string; name: string; verificationStatus: string };
}

/** What every organization screen acts with: the session, the organization and whether the viewer administers it. */
export interface Acting {
  session: Session;
  organization: Membership['organization'];
  isAdmin: boolean;
}

const CHOSEN_KEY = 'niudai.console.actingOrganization';

/**
 * Loads the viewer's memberships and renders `children` for the organization she acts for: the
 * only one, or the one she picks (remembered). With `adminOnly`, a plain member is told the screen
 * is for admins instead.
 */
export function ActingOrganization({
  adminOnly = false,
  children,
}: {
  adminOnly?: boolean;
  children: (acting: Acting) => ReactNode;
}) {
  const { t } = useTranslation();
  const session = useSignedIn();
  const [memberships, setMemberships] = useState<Membership[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosenId, setChosenId] = useState<string | null>(() => localStorage.getItem(CHOSEN_KEY));

  useEffect(() => {
    let current = true;
    request<{ viewer: { memberships: Membership[] } | null }>(MY_MEMBERSHIPS, {}, session.token)
      .then((data) => current && setMemberships(data.viewer?.memberships ?? []))
      .catch((e: unknown) => current && setError(errorText(e, t)));
    return () => {
      current = false;
    };
  }, [session.token]);

  if (error) return <Alert type="error" showIcon title={error} />;
  if (!memberships) return <Spin aria-label={t('common.loading')} />;
  if (memberships.length === 0) return <Alert type="info" showIcon title={t('org.noMembership')} />;

  const acting = memberships.find((m) => m.organization.id === chosenId) ?? memberships[0]!;
  const choose = (id: string) => {
    localStorage.setItem(CHOSEN_KEY, id);
    setChosenId(id);
  };

  return (
    <>
      {memberships.length > 1 && (
        <Form layout="inline" className="org-chooser">
          <Form.Item label={t('org.actingFor')} htmlFor="org-acting-for">
            <Select
              id="org-acting-for"
              value={acting.organization.id}
              onChange={choose}
              options={memberships.map((m) => ({ value: m.organization.id, label: m.organization.name }))}
              style={{ minWidth: 240 }}
            />
          </Form.Item>
        </Form>
      )}
      {adminOnly && acting.role !== 'ORG_ADMIN' ? (
        <Alert type="info" showIcon title={t('org.adminsOnly')} />
      ) : (
        children({ session, organization: acting.organization, isAdmin: acting.role === 'ORG_ADMIN' })
      )}
    </>
  );
}
