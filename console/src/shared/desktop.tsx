import type { ReactNode } from 'react';
import { App, ConfigProvider } from 'antd';
import antdEnUS from 'antd/es/locale/en_US.js';
import antdZhCN from 'antd/es/locale/zh_CN.js';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../i18n.js';

/** The console's colour, shared by antd's theme and the header. */
export const BRAND_COLOR = '#8b1a1a';

/**
 * antd's default error red (#ff4d4f, the text of a field's error) is 3.3:1 on white, under WCAG AA's
 * 4.5:1 (axe fails it); antd's red-7 is 5.9:1.
 */
const ERROR_COLOR = '#cf1322';

/**
 * Wraps a desktop screen (organizations, staff, admins) in antd's configuration: its own texts in
 * the user's language and the console's colour. Import it only from those screens' modules: it
 * brings antd, which the worker's phone pages must not load.
 */
export function DesktopPage({ children }: { children: ReactNode }) {
  useTranslation(); // re-render on a language switch
  return (
    <ConfigProvider
      locale={currentLanguage() === 'en' ? antdEnUS : antdZhCN}
      theme={{ token: { colorPrimary: BRAND_COLOR, colorError: ERROR_COLOR } }}
    >
      <App>{children}</App>
    </ConfigProvider>
  );
}
