import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { admin as adminEn } from './locales/en/admin.js';
import { common as commonEn } from './locales/en/common.js';
import { org as orgEn } from './locales/en/org.js';
import { staff as staffEn } from './locales/en/staff.js';
import { worker as workerEn } from './locales/en/worker.js';
import { admin as adminZh } from './locales/zh-CN/admin.js';
import { common as commonZh } from './locales/zh-CN/common.js';
import { org as orgZh } from './locales/zh-CN/org.js';
import { staff as staffZh } from './locales/zh-CN/staff.js';
import { worker as workerZh } from './locales/zh-CN/worker.js';

/**
 * One catalogue per language, composed from one module per area so that the engineers of each area
 * edit their own file: keys read `common.…`, `worker.…`, `org.…`, `staff.…`, `admin.…`.
 */
export const catalogues = {
  'zh-CN': { common: commonZh, worker: workerZh, org: orgZh, staff: staffZh, admin: adminZh },
  en: { common: commonEn, worker: workerEn, org: orgEn, staff: staffEn, admin: adminEn },
};

export type Language = keyof typeof catalogues;
export const LANGUAGES = Object.keys(catalogues) as Language[];
/** Chinese unless the user chose English on this device. */
export const DEFAULT_LANGUAGE: Language = 'zh-CN';
const KEY = 'niudai.console.language';

export function storedLanguage(): Language {
  try {
    const stored = localStorage.getItem(KEY);
    return LANGUAGES.includes(stored as Language) ? (stored as Language) : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

/** The language in use now. */
export const currentLanguage = (): Language =>
  LANGUAGES.includes(i18next.language as Language) ? (i18next.language as Language) : DEFAULT_LANGUAGE;

/** Switches the language, remembers it on this device and tells assistive technology (`<html lang>`). */
export async function setLanguage(language: Language): Promise<void> {
  localStorage.setItem(KEY, language);
  document.documentElement.lang = language;
  await i18next.changeLanguage(language);
}

const initial = storedLanguage();
if (typeof document !== 'undefined') document.documentElement.lang = initial; // not in unit tests
void i18next.use(initReactI18next).init({
  resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: catalogues[l] }])),
  lng: initial,
  fallbackLng: DEFAULT_LANGUAGE,
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false,
  returnNull: false,
});

export default i18next;
