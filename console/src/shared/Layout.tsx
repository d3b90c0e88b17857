import { Suspense, useEffect, type ReactNode } from 'react';
import { ConfigProvider } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US.js';
import zhCN from 'antd-mobile/es/locales/zh-CN.js';
import { useTranslation } from 'react-i18next';
import { currentLanguage, setLanguage } from '../i18n.js';
import type { Route } from './route.js';
import { hrefOf, navigate } from './router.js';
import { NotificationBell } from './NotificationBell.js';
import { useSession } from './session-context.js';

/**
 * The frame of every screen: the header (name, role-aware navigation, the notification bell, the
 * language switch, who is signed in, sign out) and the screen below it, phone-narrow for phone
 * screens. Built from plain elements and antd-mobile only, so a worker's phone loads no desktop
 * component library for it.
 */
export function Layout({
  navigation,
  current,
  children,
}: {
  navigation: Route[];
  current: Route | null;
  children: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const { session, setSession } = useSession();
  const language = currentLanguage();

  useEffect(() => {
    document.title = current ? `${t(current.labelKey)} · ${t('common.appName')}` : t('common.appName');
  }, [current, t, i18n.language]);

  return (
    <ConfigProvider locale={language === 'en' ? enUS : zhCN}>
      <header className="app-header">
        <a className="brand" href={hrefOf('/')}>
          {t('common.appName')}
        </a>
        <nav aria-label={t('common.header.navigation')}>
          {navigation.map((route) => (
            <a
              key={route.path}
              href={hrefOf(route.path)}
              aria-current={route === current ? 'page' : undefined}
              className={route === current ? 'active' : undefined}
            >
              {t(route.labelKey)}
            </a>
          ))}
        </nav>
        <div className="tools">
          {session && <NotificationBell />}
          <button
            type="button"
            className="language"
            lang={language === 'en' ? 'zh-CN' : 'en'}
            aria-label={t('common.header.switchToLabel')}
            onClick={() => void setLanguage(language === 'en' ? 'zh-CN' : 'en')}
          >
            {t('common.header.switchTo')}
          </button>
          {session && (
            <>
              <span className="who" data-testid="viewer">
                {session.viewer.displayName}
              </span>
              <button
                type="button"
                className="sign-out"
                onClick={() => {
                  setSession(null);
                  navigate('/'); // no screen: the console opens the signed-out home, sign-in
                }}
              >
                {t('common.header.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main className={current?.phone ? 'screen phone' : 'screen wide'}>
        <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>{children}</Suspense>
      </main>
    </ConfigProvider>
  );
}

/**
 * A screen's heading and body: every screen starts with one `h1` (its name for assistive
 * technology) and may put actions beside it.
 */
export function Page({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="page">
      <div className="page-head">
        <h1>{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}
