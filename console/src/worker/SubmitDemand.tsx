import { useEffect, useMemo, useState } from 'react';
import { Button, Checkbox, Form, Input, Radio, TextArea, Toast } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { navigate } from '../shared/router.js';
import { useSignedIn } from '../shared/session-context.js';
import {
  ENDORSE_DEMAND,
  REGION,
  SIMILAR_OPEN_DEMANDS,
  SUBMIT_CHOICES,
  SUBMIT_DEMAND,
  type SimilarDemand,
} from './operations.js';
import { FormError } from '../shared/FormError.js';
import type { Named, NamedWithChildren, RegionChoice } from '../shared/fragments.js';
import { REGIONS } from '../shared/operations.js';

interface Choices {
  serviceCategories: NamedWithChildren[];
  targetGroups: Named[];
  viewer: {
    submittedDemands: {
      edges: { node: { region: { code: string; path: { code: string; level: string }[] } } }[];
    };
    endorsedDemands: { edges: { node: { id: string } }[] };
  };
}

const URGENCIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
/** The city she last chose on this device, when she has no demand yet to take it from. */
const CITY_KEY = 'niudai.console.city';

interface SubmitValues {
  title: string;
  description: string;
  categoryCode?: string;
  regionCode?: string;
  targetGroups: string[];
  urgency: string;
  peopleAffected: string;
  contact?: string;
  contactConsent: boolean;
  anonymous: boolean;
}

/**
 * 职工点单: a worker asks for a service — category (tree), city → district (from her own city), the
 * groups concerned, urgency, people affected, a private contact with explicit consent, anonymity.
 * Before she submits, the open demands of that category and place are shown with "me too".
 */
export function SubmitDemandScreen() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [form] = Form.useForm<SubmitValues>();
  const { formError, run } = useFieldErrors(form, { fieldHints: ['worker.fieldErrors'] });
  const [choices, setChoices] = useState<Choices | null>(null);
  const [busy, setBusy] = useState(false);
  const categoryCode = Form.useWatch('categoryCode', form);
  const regionCode = Form.useWatch('regionCode', form);
  const title = useSettled(Form.useWatch('title', form) ?? '');

  useEffect(() => {
    void request<Choices>(SUBMIT_CHOICES, {}, token).then(setChoices);
  }, [token]);

  /** Her own city: the one of her latest demand, else the last one chosen here. */
  const ownCity = useMemo(() => {
    const latest = choices?.viewer.submittedDemands.edges[0]?.node.region.path;
    return latest?.find((r) => r.level === 'CITY')?.code ?? localStorage.getItem(CITY_KEY);
  }, [choices]);

  if (!choices) return <p>{t('common.loading')}</p>;

  const submit = async (values: SubmitValues) => {
    setBusy(true);
    const ok = await run(async () => {
      await request(
        SUBMIT_DEMAND,
        {
          input: {
            title: values.title,
            description: values.description,
            categoryCode: values.categoryCode ?? '',
            regionCode: values.regionCode ?? '',
            targetGroups: values.targetGroups,
            urgency: values.urgency,
            peopleAffected: Number(values.peopleAffected),
            contact: values.contact?.trim() || null,
            contactConsent: values.contactConsent,
            anonymous: values.anonymous,
          },
        },
        token,
      );
    });
    setBusy(false);
    if (ok) {
      Toast.show({ content: t('worker.submit.submitted') });
      navigate('/demands/mine');
    }
  };

  const required = [{ required: true, message: t('worker.submit.required') }];
  return (
    <Page title={t('worker.submit.title')}>
      <p className="intro">{t('worker.submit.intro')}</p>
      <Form
        form={form}
        name="submitDemand"
        layout="vertical"
        initialValues={{
          targetGroups: [],
          urgency: 'NORMAL',
          peopleAffected: '1',
          contactConsent: false,
          anonymous: false,
        }}
        onFinish={(values) => void submit(values)}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('worker.submit.submit')}
          </Button>
        }
      >
        <FormError text={formError} />
        <Form.Item name="title" label={t('worker.submit.titleLabel')} rules={required}>
          <Input placeholder={t('worker.submit.titlePlaceholder')} maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('worker.submit.description')} rules={required}>
          <TextArea placeholder={t('worker.submit.descriptionPlaceholder')} rows={3} maxLength={5000} />
        </Form.Item>
        <Form.Item name="categoryCode" label={t('worker.submit.category')} rules={required}>
          <CategoryPicker categories={choices.serviceCategories} />
        </Form.Item>
        <Form.Item name="regionCode" label={t('worker.submit.place')} rules={required}>
          <RegionPicker ownCity={ownCity} />
        </Form.Item>
        {categoryCode && regionCode && (
          <SimilarDemands
            categoryCode={categoryCode}
            regionCode={regionCode}
            title={title}
            endorsedIds={choices.viewer.endorsedDemands.edges.map((e) => e.node.id)}
          />
        )}
        <Form.Item name="targetGroups" label={t('worker.submit.targetGroups')}>
          <Checkbox.Group>
            <div className="choices">
              {choices.targetGroups.map((g) => (
                <Checkbox key={g.code} value={g.code}>
                  {localName(g)}
                </Checkbox>
              ))}
            </div>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="urgency" label={t('worker.submit.urgency')}>
          <Radio.Group>
            <div className="choices" role="radiogroup" aria-label={t('worker.submit.urgency')}>
              {URGENCIES.map((u) => (
                <Radio key={u} value={u}>
                  {t(`worker.demand.urgency.${u}`)}
                </Radio>
              ))}
            </div>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="peopleAffected" label={t('worker.submit.peopleAffected')}>
          <Input type="number" inputMode="numeric" min={1} />
        </Form.Item>
        <Form.Item name="contact" label={t('worker.submit.contact')} help={t('worker.submit.contactHelp')}>
          <Input placeholder={t('worker.submit.contactPlaceholder')} autoComplete="tel" maxLength={200} />
        </Form.Item>
        <Form.Item name="contactConsent" valuePropName="checked">
          <Checkbox>{t('worker.submit.contactConsent')}</Checkbox>
        </Form.Item>
        <Form.Item name="anonymous" valuePropName="checked">
          <Checkbox>{t('worker.submit.anonymous')}</Checkbox>
        </Form.Item>
      </Form>
    </Page>
  );
}

/** A category, then one of its subcategories (or the category as a whole). */
function CategoryPicker({
  categories,
  value,
  onChange,
}: {
  categories: NamedWithChildren[];
  value?: string;
  onChange?: (code: string) => void;
}) {
  const { t } = useTranslation();
  const top = categories.find((c) => value === c.code || value?.startsWith(`${c.code}.`));
  return (
    <div>
      <Radio.Group value={top?.code ?? null} onChange={(code) => onChange?.(String(code))}>
        <fieldset className="choices">
          <legend>{t('worker.submit.category')}</legend>
          {categories.map((c) => (
            <Radio key={c.code} value={c.code}>
              {localName(c)}
            </Radio>
          ))}
        </fieldset>
      </Radio.Group>
      {top && top.children.length > 0 && (
        <Radio.Group value={value ?? null} onChange={(code) => onChange?.(String(code))}>
          <fieldset className="choices">
            <legend>{t('worker.submit.subcategory')}</legend>
            <Radio value={top.code}>{t('worker.submit.wholeCategory')}</Radio>
            {top.children.map((c) => (
              <Radio key={c.code} value={c.code}>
                {localName(c)}
              </Radio>
            ))}
          </fieldset>
        </Radio.Group>
      )}
    </div>
  );
}

/**
 * City → district, starting from her own city; "change city" goes through the provinces. The
 * value is the district's code, or the city's for the whole city.
 */
function RegionPicker({
  ownCity,
  value,
  onChange,
}: {
  ownCity: string | null;
  value?: string;
  onChange?: (code: string) => void;
}) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [city, setCity] = useState<RegionChoice | null>(null);
  const [districts, setDistricts] = useState<RegionChoice[]>([]);
  const [choosing, setChoosing] = useState<{ province: string | null; options: RegionChoice[] } | null>(null);

  const openCity = async (code: string) => {
    const [{ region }, { regions }] = await Promise.all([
      request<{ region: RegionChoice | null }>(REGION, { code }, token),
      request<{ regions: RegionChoice[] }>(REGIONS, { parentCode: code }, token),
    ]);
    if (!region) return;
    localStorage.setItem(CITY_KEY, region.code);
    setCity(region);
    setDistricts(regions);
    setChoosing(null);
  };

  const chooseFrom = async (province: string | null) => {
    const { regions } = await request<{ regions: RegionChoice[] }>(REGIONS, { parentCode: province }, token);
    setChoosing({ province, options: regions });
  };

  useEffect(() => {
    if (ownCity) void openCity(ownCity);
    else void chooseFrom(null);
  }, [ownCity]);

  if (choosing)
    return (
      <Radio.Group
        value={null}
        onChange={(code) => void (choosing.province ? openCity(String(code)) : chooseFrom(String(code)))}
      >
        <fieldset className="choices">
          <legend>
            {t(choosing.province ? 'worker.submit.chooseCity' : 'worker.submit.chooseProvince')}
          </legend>
          {choosing.options.map((r) => (
            <Radio key={r.code} value={r.code}>
              {localName(r)}
            </Radio>
          ))}
        </fieldset>
      </Radio.Group>
    );
  if (!city) return <p>{t('common.loading')}</p>;
  return (
    <div>
      <p className="picker-step">
        {t('worker.submit.city', { name: localName(city) })}{' '}
        <Button size="mini" onClick={() => void chooseFrom(null)}>
          {t('worker.submit.changeCity')}
        </Button>
      </p>
      <Radio.Group value={value ?? null} onChange={(code) => onChange?.(String(code))}>
        <fieldset className="choices">
          <legend>{t('worker.submit.district')}</legend>
          <Radio value={city.code}>{t('worker.submit.wholeCity')}</Radio>
          {districts.map((d) => (
            <Radio key={d.code} value={d.code}>
              {localName(d)}
            </Radio>
          ))}
        </fieldset>
      </Radio.Group>
    </div>
  );
}

/** How long the title rests before the similar demands are asked for again. */
const TYPING_PAUSE_MS = 400;

/** `value` once it has stopped changing for a moment (she is typing). */
function useSettled(value: string): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [value]);
  return settled;
}

/**
 * Other workers' open demands of the chosen category and place (similar to her title once typed),
 * each with "me too".
 */
function SimilarDemands({
  categoryCode,
  regionCode,
  title,
  endorsedIds,
}: {
  categoryCode: string;
  regionCode: string;
  title: string;
  endorsedIds: string[];
}) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [similar, setSimilar] = useState<SimilarDemand[]>([]);
  const [endorsed, setEndorsed] = useState<string[]>(endorsedIds);

  useEffect(() => {
    let current = true;
    void request<{ similarOpenDemands: SimilarDemand[] }>(
      SIMILAR_OPEN_DEMANDS,
      { categoryCode, regionCode, title: title.trim() || null },
      token,
    ).then((data) => {
      if (current) setSimilar(data.similarOpenDemands);
    });
    return () => {
      current = false;
    };
  }, [categoryCode, regionCode, title, token]);

  if (similar.length === 0) return null;
  const endorse = async (demand: SimilarDemand) => {
    try {
      const data = await request<{ endorseDemand: { demand: { id: string; endorsementCount: number } } }>(
        ENDORSE_DEMAND,
        { input: { demandId: demand.id } },
        token,
      );
      setEndorsed((ids) => [...ids, demand.id]);
      setSimilar((list) =>
        list.map((d) =>
          d.id === demand.id ? { ...d, endorsementCount: data.endorseDemand.demand.endorsementCount } : d,
        ),
      );
      Toast.show({ content: t('worker.submit.endorsedToast') });
    } catch (error) {
      Toast.show({ content: errorText(error, t) });
    }
  };
  return (
    <section className="similar" aria-labelledby="similar-title" data-testid="similar-demands">
      <h2 id="similar-title">{t('worker.submit.similarTitle')}</h2>
      <p>{t('worker.submit.similarIntro')}</p>
      <ul>
        {similar.map((d) => (
          <li key={d.id} data-demand-id={d.id}>
            <span>
              {d.title} · {t('worker.submit.endorsements', { count: d.endorsementCount })}
            </span>
            {endorsed.includes(d.id) ? (
              <span className="status-tag">{t('worker.submit.endorsed')}</span>
            ) : (
              <Button size="small" color="primary" fill="outline" onClick={() => void endorse(d)}>
                {t('worker.submit.meToo')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
