import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Input, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../shared/api.js';
import { errorText } from '../shared/errors.js';
import type { Acting } from './acting.js';
import { SECTION_TITLE_STYLE } from './text.js';
import { DECIDE_SPONSORED_GROUP, SPONSORED_GROUPS } from './operations.js';

interface Group {
  id: string;
  name: string;
  verification: { status: string };
}

/**
 * The community groups this hub sponsors (docs/domain.md, "Providers"): its admins verify a pending
 * one, or decline it with a reason.
 */
export function SponsoredGroups({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const data = await request<{ organization: { sponsoredGroups: Group[] | null } | null }>(
        SPONSORED_GROUPS,
        { id: acting.organization.id },
        acting.session.token,
      );
      setGroups(data.organization?.sponsoredGroups ?? []);
    } catch (e) {
      setMessage({ type: 'error', text: errorText(e, t) });
    }
  }, [acting]);
  useEffect(() => void load(), [load]);

  const decide = async (group: Group, accept: boolean) => {
    setBusy(group.id);
    setMessage(null);
    try {
      await request(
        DECIDE_SPONSORED_GROUP,
        { input: { organizationId: group.id, accept, reason: reasons[group.id] || null } },
        acting.session.token,
      );
      const key = accept ? 'org.sponsored.verified' : 'org.sponsored.declined';
      setMessage({ type: 'success', text: t(key, { name: group.name }) });
    } catch (e) {
      setMessage({
        type: 'error',
        text: errorText(e, t, {
          codes: { BAD_USER_INPUT: 'org.sponsored.reasonNeeded', CONFLICT: 'org.sponsored.alreadyDecided' },
        }),
      });
    } finally {
      setBusy(null);
      await load();
    }
  };

  return (
    <section className="org-hub-sponsored">
      <Typography.Title level={2} style={SECTION_TITLE_STYLE}>
        {t('org.sponsored.title')}
      </Typography.Title>
      {message && <Alert type={message.type} showIcon title={message.text} role="status" />}
      <Table<Group>
        rowKey="id"
        size="small"
        loading={!groups}
        dataSource={groups ?? []}
        pagination={false}
        locale={{ emptyText: <Typography.Text>{t('org.sponsored.none')}</Typography.Text> }}
        columns={[
          { title: t('org.register.name'), dataIndex: 'name' },
          {
            title: t('org.profile.verification'),
            render: (_, g) => <Tag>{t(`org.verification.${g.verification.status}`)}</Tag>,
          },
          {
            title: t('org.actions'),
            render: (_, g) =>
              g.verification.status === 'PENDING' && (
                <Space>
                  <Input
                    aria-label={t('org.sponsored.reasonFor', { name: g.name })}
                    placeholder={t('org.sponsored.reason')}
                    value={reasons[g.id] ?? ''}
                    onChange={(e) => setReasons({ ...reasons, [g.id]: e.target.value })}
                    maxLength={2000}
                  />
                  <Button
                    type="primary"
                    loading={busy === g.id}
                    aria-label={t('org.sponsored.verifyGroup', { name: g.name })}
                    onClick={() => void decide(g, true)}
                  >
                    {t('org.sponsored.verify')}
                  </Button>
                  <Button
                    danger
                    loading={busy === g.id}
                    aria-label={t('org.sponsored.declineGroup', { name: g.name })}
                    onClick={() => void decide(g, false)}
                  >
                    {t('org.sponsored.decline')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
    </section>
  );
}
