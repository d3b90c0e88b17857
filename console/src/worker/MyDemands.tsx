import { useCallback, useEffect, useState } from 'react';
import { Button, Dialog, Form, Radio, TextArea, Toast } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { request } from '../shared/api.js';
import { errorText, useFieldErrors } from '../shared/errors.js';
import { FormError } from '../shared/FormError.js';
import { formatDateTime, localName } from '../shared/format.js';
import { Page } from '../shared/Layout.js';
import { useLiveSubscription } from '../shared/live.js';
import { hrefOf } from '../shared/router.js';
import { useSignedIn } from '../shared/session-context.js';
import {
  DEMAND_UPDATED,
  ENDORSED_DEMANDS,
  MY_DEMANDS,
  RATE_DEMAND,
  WITHDRAW_DEMAND,
  type WorkerDemand,
} from './operations.js';

/** Statuses after which a demand changes no more: no live updates to follow. */
const SETTLED = ['FULFILLED', 'WITHDRAWN', 'EXPIRED', 'CLOSED', 'CLOSED_DUPLICATE'];

type DemandList = 'submittedDemands' | 'endorsedDemands';

/** A list of the viewer's demands (submitted or endorsed), kept in state, replaced one by one. */
function useDemandList(query: string, list: DemandList) {
  const { token } = useSignedIn();
  const [demands, setDemands] = useState<WorkerDemand[] | null>(null);
  const reload = useCallback(async () => {
    const data = await request<{ viewer: Record<DemandList, { edges: { node: WorkerDemand }[] }> }>(
      query,
      {},
      token,
    );
    setDemands(data.viewer[list].edges.map((e) => e.node));
  }, [query, list, token]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const replace = useCallback(
    (demand: WorkerDemand) => setDemands((all) => all?.map((d) => (d.id === demand.id ? demand : d)) ?? all),
    [],
  );
  return { demands, replace };
}

/** "My demands": status, the organization serving each and its notes, live; rate, withdraw. */
export function MyDemandsScreen() {
  const { t } = useTranslation();
  const { demands, replace } = useDemandList(MY_DEMANDS, 'submittedDemands');
  return (
    <Page title={t('worker.mine.title')}>
      {demands === null && <p>{t('common.loading')}</p>}
      {demands?.length === 0 && (
        <p>
          {t('worker.mine.none')} <a href={hrefOf('/demands/new')}>{t('worker.mine.submitOne')}</a>
        </p>
      )}
      {demands?.map((d) => (
        <DemandCard key={d.id} demand={d} onChange={replace} own />
      ))}
    </Page>
  );
}

/** The demands she said "me too" to, whatever their status now, live. */
export function EndorsedDemandsScreen() {
  const { t } = useTranslation();
  const { demands, replace } = useDemandList(ENDORSED_DEMANDS, 'endorsedDemands');
  return (
    <Page title={t('worker.endorsedList.title')}>
      {demands === null && <p>{t('common.loading')}</p>}
      {demands?.length === 0 && <p>{t('worker.endorsedList.none')}</p>}
      {demands?.map((d) => (
        <DemandCard key={d.id} demand={d} onChange={replace} own={false} />
      ))}
    </Page>
  );
}

/** One demand: status, who serves it, the notes; live while it can still change. */
function DemandCard({
  demand,
  onChange,
  own,
}: {
  demand: WorkerDemand;
  onChange: (demand: WorkerDemand) => void;
  own: boolean;
}) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const live = useLiveSubscription<{ demandUpdated: { demand: WorkerDemand } }>(
    DEMAND_UPDATED,
    SETTLED.includes(demand.status) ? null : { demandId: demand.id },
    (data) => onChange(data.demandUpdated.demand),
  );
  const headingId = `demand-${demand.id}`;

  const withdraw = async () => {
    const confirmed = await Dialog.confirm({
      'aria-label': t('worker.demand.withdraw'),
      content: t('worker.demand.withdrawConfirm', { title: demand.title }),
      confirmText: t('worker.demand.withdraw'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    try {
      const data = await request<{ withdrawDemand: { demand: WorkerDemand } }>(
        WITHDRAW_DEMAND,
        { input: { demandId: demand.id } },
        token,
      );
      onChange(data.withdrawDemand.demand);
      Toast.show({ content: t('worker.demand.withdrawn') });
    } catch (error) {
      Toast.show({ content: errorText(error, t) });
    }
  };

  return (
    <article className="worker-demand" aria-labelledby={headingId} data-demand-id={demand.id}>
      <h2 id={headingId}>{demand.title}</h2>
      <p className="meta">
        <span className={`status-tag ${demand.status}`} data-testid="demand-status">
          {t(`worker.demand.status.${demand.status}`, { defaultValue: demand.status })}
        </span>
        {localName(demand.category)} · {localName(demand.region)} ·{' '}
        {t('worker.demand.people', { count: demand.peopleAffected })}
      </p>
      <p className="meta">
        {t('worker.demand.submittedAt', { date: formatDateTime(demand.createdAt) })}
        {!SETTLED.includes(demand.status) && (
          <span className="visually-quiet" data-testid="live-status">
            {' '}
            · {t('worker.demand.live', { status: t(`common.live.${live}`) })}
          </span>
        )}
      </p>
      <p data-testid="served-by">
        {demand.claimedBy
          ? t('worker.demand.servedBy', { name: demand.claimedBy.name })
          : t('worker.demand.notYetClaimed')}
      </p>
      {demand.progressNotes.length > 0 && (
        <section aria-label={t('worker.demand.notes')}>
          <ol className="notes" data-testid="progress-notes">
            {demand.progressNotes.map((n) => (
              <li key={`${n.createdAt}/${n.kind}`}>
                <strong>{t(`worker.demand.noteKind.${n.kind}`, { defaultValue: n.kind })}</strong>
                {n.organization ? ` · ${n.organization.name}` : ''}: {n.note}
                <br />
                <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
              </li>
            ))}
          </ol>
        </section>
      )}
      {demand.rating != null && (
        <p>
          {t('worker.demand.rated', { rating: demand.rating })}
          {demand.ratingComment ? ` · “${demand.ratingComment}”` : ''}
        </p>
      )}
      {own && demand.status === 'OPEN' && (
        <div className="actions">
          <Button size="small" onClick={() => void withdraw()}>
            {t('worker.demand.withdraw')}
          </Button>
        </div>
      )}
      {own && demand.status === 'FULFILLED' && demand.rating == null && (
        <RateForm demand={demand} onRated={onChange} />
      )}
    </article>
  );
}

/** Rating the service once it is fulfilled: 1–5 and a comment. */
function RateForm({ demand, onRated }: { demand: WorkerDemand; onRated: (demand: WorkerDemand) => void }) {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [form] = Form.useForm<{ rating?: number; comment?: string }>();
  const { formError, run } = useFieldErrors(form, { fieldHints: ['worker.fieldErrors'] });
  return (
    <Form
      form={form}
      name={`rate-${demand.id}`}
      layout="vertical"
      onFinish={(values) =>
        void run(async () => {
          const data = await request<{ rateDemand: { demand: WorkerDemand } }>(
            RATE_DEMAND,
            {
              input: { demandId: demand.id, rating: values.rating, comment: values.comment?.trim() || null },
            },
            token,
          );
          onRated(data.rateDemand.demand);
          Toast.show({ content: t('worker.demand.ratedToast') });
        })
      }
      footer={
        <Button type="submit" color="primary" size="small">
          {t('worker.demand.rateSubmit')}
        </Button>
      }
    >
      <FormError text={formError} />
      <Form.Item
        name="rating"
        label={t('worker.demand.rateLabel')}
        rules={[{ required: true, message: t('common.errors.fields.rating') }]}
      >
        <Radio.Group>
          <div className="choices" role="radiogroup" aria-label={t('worker.demand.rateLabel')}>
            {[1, 2, 3, 4, 5].map((n) => (
              <Radio key={n} value={n}>
                {'★'.repeat(n)} {n}
              </Radio>
            ))}
          </div>
        </Radio.Group>
      </Form.Item>
      <Form.Item name="comment" label={t('worker.demand.rateComment')}>
        <TextArea rows={2} maxLength={500} />
      </Form.Item>
    </Form>
  );
}
