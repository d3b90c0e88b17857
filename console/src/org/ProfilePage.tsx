import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, message } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from '../shared/FormError.js';
import { localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { request } from '../shared/api.js';
import type { Acting } from './acting.js';
import { ORG_ERRORS } from './text.js';
import { ORGANIZATION_PROFILE, UPDATE_ORGANIZATION } from './operations.js';
import { applyApiErrors, errorText } from '../shared/errors.js';
import { CategoryPicker, RegionPicker, TargetGroupPicker, usePickerChoices } from './pickers.js';
import type { Named, OrganizationDetails } from '../shared/fragments.js';
import { DocumentsCard } from './DocumentsCard.js';

/** The organization's profile as the screen shows it. */
export interface OrganizationProfile extends OrganizationDetails {
  isHub: boolean;
  rating: number | null;
  ratingCount: number;
  targetGroups: string[];
  hub: { id: string; name: string } | null;
}

interface ProfileForm {
  name: string;
  description: string;
  publicContact: string;
  website: string;
  categoryCodes: string[];
  regionCodes: string[];
  targetGroups: string[];
  brand: { name: string; description: string; since: string };
}

const toForm = (p: OrganizationProfile): ProfileForm => ({
  name: p.name,
  description: p.description,
  publicContact: p.publicContact ?? '',
  website: p.website ?? '',
  categoryCodes: p.categories.map((c) => c.code),
  regionCodes: p.regionsServed.map((r) => r.code),
  targetGroups: p.targetGroups,
  brand: { name: p.brand?.name ?? '', description: p.brand?.description ?? '', since: p.brand?.since ?? '' },
});

/** The organization's profile: everyone of it reads it, its admins edit it. */
export function ProfilePage({ acting }: { acting: Acting }) {
  const { t } = useTranslation();
  const [profile, setProfile] = useState<OrganizationProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();
  const choices = usePickerChoices(acting.session.token, profile?.homeRegion.code ?? null);
  const [notice, noticeHolder] = message.useMessage();

  const load = useCallback(async () => {
    try {
      const data = await request<{ organization: OrganizationProfile | null }>(
        ORGANIZATION_PROFILE,
        { organizationId: acting.organization.id },
        acting.session.token,
      );
      setProfile(data.organization);
      if (data.organization) form.setFieldsValue(toForm(data.organization));
    } catch (e) {
      setError(errorText(e, t));
    }
  }, [acting, form]);
  useEffect(() => void load(), [load]);

  const save = async (values: ProfileForm) => {
    setSaving(true);
    setError(null);
    try {
      const brand = values.brand.name.trim()
        ? {
            name: values.brand.name.trim(),
            description: values.brand.description.trim() || null,
            since: values.brand.since.trim() || null,
          }
        : undefined;
      const data = await request<{ updateOrganization: { organization: OrganizationProfile } }>(
        UPDATE_ORGANIZATION,
        {
          input: {
            organizationId: acting.organization.id,
            name: values.name,
            description: values.description,
            // Empty clears them.
            publicContact: values.publicContact.trim() || null,
            website: values.website.trim() || null,
            categoryCodes: values.categoryCodes,
            regionCodes: values.regionCodes,
            targetGroups: values.targetGroups,
            ...(brand ? { brand } : {}),
          },
        },
        acting.session.token,
      );
      setProfile(data.updateOrganization.organization);
      form.setFieldsValue(toForm(data.updateOrganization.organization));
      void notice.success(t('org.profile.saved'));
    } catch (e) {
      setError(applyApiErrors(form, e, t, ORG_ERRORS));
    } finally {
      setSaving(false);
    }
  };

  if (!profile) return error ? <Alert type="error" showIcon title={error} /> : null;
  const names = (list: Named[]) => list.map((n) => localName(n)).join('、');

  return (
    <Page title={t('org.profile.title')}>
      {noticeHolder}
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} className="org-profile-facts">
        <Descriptions.Item label={t('org.profile.name')}>{profile.name}</Descriptions.Item>
        <Descriptions.Item label={t('org.profile.creditCode')}>{profile.creditCode}</Descriptions.Item>
        <Descriptions.Item label={t('org.profile.verification')}>
          {t(`org.verification.${profile.verificationStatus}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.profile.grade')}>
          {t(`org.grade.${profile.grade}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.profile.foundingType')}>
          {t(`org.foundingType.${profile.foundingType}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.profile.homeRegion')}>
          {localName(profile.homeRegion)}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.profile.rating')}>
          {profile.rating == null
            ? t('org.profile.unrated')
            : `${profile.rating.toFixed(1)} (${profile.ratingCount})`}
        </Descriptions.Item>
        <Descriptions.Item label={t('org.profile.hub')}>
          {profile.hub?.name ?? t('org.profile.noHub')}
        </Descriptions.Item>
        {!acting.isAdmin && (
          <>
            <Descriptions.Item label={t('org.profile.description')}>{profile.description}</Descriptions.Item>
            <Descriptions.Item label={t('org.profile.publicContact')}>
              {profile.publicContact}
            </Descriptions.Item>
            <Descriptions.Item label={t('org.profile.website')}>{profile.website}</Descriptions.Item>
            <Descriptions.Item label={t('org.profile.categories')}>
              {names(profile.categories)}
            </Descriptions.Item>
            <Descriptions.Item label={t('org.profile.regions')}>
              {names(profile.regionsServed)}
            </Descriptions.Item>
            <Descriptions.Item label={t('org.profile.brand')}>{profile.brand?.name}</Descriptions.Item>
          </>
        )}
      </Descriptions>
      {acting.isAdmin && (
        <Form
          form={form}
          layout="vertical"
          className="org-profile-form"
          onFinish={(values) => void save(values)}
          style={{ maxWidth: 720, marginTop: 24 }}
        >
          <Form.Item
            name="name"
            label={t('org.profile.name')}
            rules={[{ required: true, message: t('org.required') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="description" label={t('org.profile.description')}>
            <Input.TextArea rows={4} />
          </Form.Item>
          <Form.Item name="publicContact" label={t('org.profile.publicContact')}>
            <Input />
          </Form.Item>
          <Form.Item name="website" label={t('org.profile.website')}>
            <Input inputMode="url" />
          </Form.Item>
          <Form.Item name="categoryCodes" label={t('org.profile.categories')}>
            <CategoryPicker choices={choices} />
          </Form.Item>
          <Form.Item name="regionCodes" label={t('org.profile.regions')}>
            <RegionPicker choices={choices} known={profile.regionsServed} />
          </Form.Item>
          <Form.Item name="targetGroups" label={t('org.profile.targetGroups')}>
            <TargetGroupPicker choices={choices} />
          </Form.Item>
          <Form.Item name={['brand', 'name']} label={t('org.profile.brandName')}>
            <Input />
          </Form.Item>
          <Form.Item name={['brand', 'description']} label={t('org.profile.brandDescription')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name={['brand', 'since']} label={t('org.profile.brandSince')}>
            <Input placeholder="YYYY-MM-DD" />
          </Form.Item>
          <FormError text={error} />
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('org.profile.save')}
          </Button>
        </Form>
      )}
      {acting.isAdmin && <DocumentsCard acting={acting} />}
    </Page>
  );
}
