import type { ReactNode } from 'react';
import { App, ConfigProvider } from 'antd';
import antdEnUS from 'antd/es/locale/en_US.js';
import antdZhCN from 'antd/es/locale/zh_CN.js';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../i18n.js';

/** The console's colour, shared by antd's theme and the header. */
export const BRAND_COLOR = '#8b1a1a';

/**
 * antd's defaults that fail WCAG AA contrast (4.5:1) on white, darkened: secondary texts (labels of
 * descriptions, hints) from 45 % to 65 % black, danger red from #ff4d4f to #cf1322.
 */
const READABLE = {
  colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
  colorTextDescription: 'rgba(0, 0, 0, 0.65)',
  colorError: '#cf1322',
};

/**
 * Wraps a desktop screen (organizations, staff, admins) in antd's configuration: its own texts in
 * the user's language, the console's colour and readable contrast. Buttons keep their label as
 * written (antd would space two Chinese characters apart, "保 存", so a button's accessible name
 * would no longer contain the label a speech-input user reads). Import it only from those
 * screens' modules: it brings antd, which the worker's phone pages must not load.
 */
export function DesktopPage({ children }: { children: ReactNode }) {
  useTranslation(); // re-render on a language switch
  return (
    <ConfigProvider
      locale={currentLanguage() === 'en' ? antdEnUS : antdZhCN}
      theme={{ token: { colorPrimary: BRAND_COLOR, ...READABLE } }}
      button={{ autoInsertSpace: false }}
    >
      <App>{children}</App>
    </ConfigProvider>
  );
}
