import { useState } from 'react';
import { Button, Form, Input, Tabs } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Page } from '../shared/Layout.js';
import { useFieldErrors } from '../shared/errors.js';
import { signIn, signUp } from '../shared/session.js';
import { useSession } from '../shared/session-context.js';
import { FormError } from '../shared/FormError.js';

export { SubmitDemandScreen } from './SubmitDemand.js';
export { EndorsedDemandsScreen, MyDemandsScreen } from './MyDemands.js';

/** Sign in with a mobile number (or email) and password, or sign up as a worker: one screen, two tabs. */
export function SignInScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useState('sign-in');
  return (
    <Page title={t('worker.signIn.title')}>
      <p className="intro">{t('worker.signIn.intro')}</p>
      <Tabs activeKey={tab} onChange={setTab}>
        <Tabs.Tab title={t('worker.signIn.tabSignIn')} key="sign-in">
          <SignInForm />
        </Tabs.Tab>
        <Tabs.Tab title={t('worker.signIn.tabSignUp')} key="sign-up">
          <SignUpForm />
        </Tabs.Tab>
      </Tabs>
    </Page>
  );
}

function SignInForm() {
  const { t } = useTranslation();
  const { setSession } = useSession();
  const [form] = Form.useForm<{ login: string; password: string }>();
  const { formError, run } = useFieldErrors(form, { codes: { UNAUTHENTICATED: 'worker.signIn.failed' } });
  const [busy, setBusy] = useState(false);
  return (
    <Form
      form={form}
      name="signIn"
      layout="vertical"
      onFinish={async (values) => {
        setBusy(true);
        await run(async () => setSession(await signIn(values.login.trim(), values.password)));
        setBusy(false);
      }}
      footer={
        <Button block type="submit" color="primary" size="large" loading={busy}>
          {t('worker.signIn.submit')}
        </Button>
      }
    >
      <FormError text={formError} />
      <Form.Item
        name="login"
        label={t('worker.signIn.login')}
        rules={[{ required: true, message: t('common.errors.fields.login') }]}
      >
        <Input placeholder={t('worker.signIn.loginPlaceholder')} autoComplete="username" inputMode="tel" />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('worker.signIn.password')}
        rules={[{ required: true, message: t('common.errors.fields.password') }]}
      >
        <Input type="password" autoComplete="current-password" />
      </Form.Item>
    </Form>
  );
}

function SignUpForm() {
  const { t } = useTranslation();
  const { setSession } = useSession();
  const [form] = Form.useForm<{ displayName: string; mobile: string; password: string }>();
  const { formError, run } = useFieldErrors(form, { codes: { CONFLICT: 'worker.signUp.conflict' } });
  const [busy, setBusy] = useState(false);
  return (
    <Form
      form={form}
      name="signUp"
      layout="vertical"
      onFinish={async (values) => {
        setBusy(true);
        // The hub checks the number: its answer appears next to the field, in the user's language.
        await run(async () =>
          setSession(
            await signUp({
              displayName: values.displayName,
              mobile: values.mobile.trim(),
              password: values.password,
            }),
          ),
        );
        setBusy(false);
      }}
      footer={
        <Button block type="submit" color="primary" size="large" loading={busy}>
          {t('worker.signUp.submit')}
        </Button>
      }
    >
      <FormError text={formError} />
      <Form.Item
        name="displayName"
        label={t('worker.signUp.displayName')}
        rules={[{ required: true, message: t('common.errors.fields.displayName') }]}
      >
        <Input placeholder={t('worker.signUp.displayNamePlaceholder')} autoComplete="nickname" />
      </Form.Item>
      <Form.Item
        name="mobile"
        label={t('worker.signUp.mobile')}
        rules={[{ required: true, message: t('common.errors.fields.mobile') }]}
      >
        <Input placeholder={t('worker.signUp.mobilePlaceholder')} autoComplete="tel" inputMode="tel" />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('worker.signUp.password')}
        help={t('worker.signUp.passwordHelp')}
        rules={[{ required: true, message: t('common.errors.fields.password') }]}
      >
        <Input type="password" autoComplete="new-password" />
      </Form.Item>
    </Form>
  );
}
