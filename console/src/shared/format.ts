import { currentLanguage, type Language } from '../i18n.js';

/** The hub serves mainland China: times read in Beijing time whatever the device's zone. */
const TIME_ZONE = 'Asia/Shanghai';
const LOCALE: Record<Language, string> = { 'zh-CN': 'zh-CN', en: 'en-GB' };

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(language: Language, withTime: boolean): Intl.DateTimeFormat {
  const key = `${language}/${withTime}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE[language], {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
    dateFormats.set(key, format);
  }
  return format;
}

/** A date (an ISO string or Date) as `2026年12月2日` / `2 December 2026`; empty for none. */
export function formatDate(value: string | Date | null | undefined, language = currentLanguage()): string {
  return value == null ? '' : dateFormat(language, false).format(new Date(value));
}

/** A date and time as `2026年12月2日 12:30` / `2 December 2026, 12:30`; empty for none. */
export function formatDateTime(
  value: string | Date | null | undefined,
  language = currentLanguage(),
): string {
  return value == null ? '' : dateFormat(language, true).format(new Date(value));
}

/**
 * Money the API gives in fen (分, integer) shown in yuan: `12,345.60 元` in Chinese, `¥12,345.60` in
 * English. Empty for none.
 */
export function formatYuan(fen: number | null | undefined, language = currentLanguage()): string {
  if (fen == null) return '';
  const amount = new Intl.NumberFormat(LOCALE[language], {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(fen / 100);
  return language === 'zh-CN' ? `${amount} 元` : `¥${amount}`;
}

/** A count with the language's digit grouping. */
export function formatNumber(value: number, language = currentLanguage()): string {
  return new Intl.NumberFormat(LOCALE[language]).format(value);
}

/** A file's size in KB or MB (1,024-based, one decimal), with the language's digits. */
export function formatBytes(bytes: number, language = currentLanguage()): string {
  const format = (n: number) =>
    new Intl.NumberFormat(LOCALE[language], { maximumFractionDigits: 1 }).format(n);
  return bytes >= 1024 * 1024 ? `${format(bytes / 1024 / 1024)} MB` : `${format(bytes / 1024)} KB`;
}

/** The name of a category, region or target group in the user's language (`name` / `nameEn`). */
export function localName(named: { name: string; nameEn: string }, language = currentLanguage()): string {
  return language === 'en' ? named.nameEn : named.name;
}
