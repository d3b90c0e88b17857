import { describe, expect, it } from 'vitest';
import i18next from '../../../../console/src/i18n.js';
import { catalogues } from '../../../../console/src/i18n.js';
import { findRoute, homePathFor, navigationFor, type Route } from '../../../../console/src/routes.js';
import { ApiError } from '../../../../console/src/shared/api.js';
import { applyApiErrors, fieldNameOf, type FieldErrorTarget } from '../../../../console/src/shared/errors.js';
import { formatDate, formatDateTime, formatYuan } from '../../../../console/src/shared/format.js';
import type { Session } from '../../../../console/src/shared/session.js';

const keysOf = (value: unknown, prefix = ''): string[] =>
  typeof value === 'string'
    ? [prefix]
    : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
        keysOf(v, prefix ? `${prefix}.${k}` : k),
      );

const session = (...roles: string[]): Session => ({
  token: 't',
  expiresAt: '2999-01-01T00:00:00Z',
  viewer: { id: 'u', displayName: 'U', roles, regionScope: null },
});

describe('the console catalogues', () => {
  it('have the same keys in Chinese and English, and Chinese is the default', () => {
    expect(keysOf(catalogues.en).sort()).toEqual(keysOf(catalogues['zh-CN']).sort());
    expect(i18next.language).toBe('zh-CN');
    expect(i18next.t('common.header.signOut')).toBe('退出');
    expect(i18next.t('common.header.signOut', { lng: 'en' })).toBe('Sign out');
  });
});

describe('zh-CN formatting', () => {
  it('shows money in yuan from fen and dates in Beijing time', () => {
    expect(formatYuan(1234560, 'zh-CN')).toBe('12,345.60 元');
    expect(formatYuan(5, 'en')).toBe('¥0.05');
    expect(formatYuan(null)).toBe('');
    expect(formatDate('2026-12-01T17:00:00Z', 'zh-CN')).toBe('2026年12月2日');
    expect(formatDateTime('2026-12-01T17:05:00Z', 'zh-CN')).toBe('2026年12月2日 01:05');
  });
});

describe('API errors on form fields', () => {
  /** A form with the fields `mobile` and `displayName`, recording what is set on it. */
  const form = () => {
    const set: { name: (string | number)[]; errors: string[] }[] = [];
    const target: FieldErrorTarget = {
      setFields: (fields) => void set.push(...fields),
      // As antd's forms answer: every registered field, an empty one as undefined.
      getFieldsValue: () => ({ mobile: '123', displayName: undefined }),
    };
    return { target, set };
  };
  const badInput = (...paths: string[]) =>
    new ApiError('bad', 'BAD_USER_INPUT', [
      {
        message: 'bad',
        extensions: { code: 'BAD_USER_INPUT', fields: paths.map((path) => ({ path, message: 'x' })) },
      },
    ]);

  it('names the form field of an input path', () => {
    expect(fieldNameOf('input.mobile')).toEqual(['mobile']);
    expect(fieldNameOf('input.items.0.name')).toEqual(['items', 0, 'name']);
    expect(fieldNameOf('regionCode')).toEqual(['regionCode']);
  });

  it('puts each problem next to its field in the user’s language, and the rest above the form', () => {
    const { target, set } = form();
    expect(applyApiErrors(target, badInput('input.mobile'), i18next.t)).toBeNull();
    expect(set).toEqual([{ name: ['mobile'], errors: ['请输入 11 位中国大陆手机号（13–19 开头）。'] }]);

    const other = form();
    expect(applyApiErrors(other.target, badInput('input.mobile', 'input.source'), i18next.t)).toBe(
      '填写有误，请检查。',
    );
    expect(other.set.map((f) => f.name)).toEqual([['mobile']]);

    const conflict = form();
    expect(
      applyApiErrors(conflict.target, new ApiError('exists', 'CONFLICT'), i18next.t, {
        codes: { CONFLICT: 'worker.signUp.conflict' },
      }),
    ).toBe('该手机号已注册，请直接登录。');
    expect(applyApiErrors(conflict.target, new TypeError('Failed to fetch'), i18next.t)).toBe(
      '网络连接失败，请检查网络。',
    );
  });
});

describe('role-aware routes', () => {
  const element = null;
  const table: Route[] = [
    { path: '/staff', labelKey: 's', visible: (s) => !!s?.viewer.roles.includes('UNION_STAFF'), element },
    {
      path: '/org/:id',
      labelKey: 'o',
      visible: (s) => !!s?.viewer.roles.includes('ORG_ADMIN'),
      element,
      nav: false,
    },
    {
      path: '/mine',
      labelKey: 'w',
      visible: (s) => !!s?.viewer.roles.includes('WORKER'),
      element,
      phone: true,
    },
    { path: '/sign-in', labelKey: 'i', visible: (s) => s === null, element, phone: true },
  ];

  it('opens a screen only for those it is visible to, with its parameters', () => {
    expect(findRoute('/org/42', session('WORKER', 'ORG_ADMIN'), table)?.params).toEqual({ id: '42' });
    expect(findRoute('/org/42', session('WORKER'), table)).toBeNull();
    expect(findRoute('/mine', null, table)).toBeNull();
    expect(navigationFor(session('WORKER', 'ORG_ADMIN'), table).map((r) => r.path)).toEqual(['/mine']);
    expect(homePathFor(null, table)).toBe('/sign-in');
    expect(homePathFor(session('UNION_STAFF'), table)).toBe('/staff');
  });

  it('keeps the board, the gap report and the explorer in the real table', () => {
    expect(findRoute('/board', session('WORKER', 'ORG_ADMIN'))).not.toBeNull();
    expect(findRoute('/gap', session('UNION_STAFF'))).not.toBeNull();
    expect(findRoute('/gap', session('WORKER'))).toBeNull();
    expect(findRoute('/explorer', null)).not.toBeNull();
    expect(homePathFor(null)).toBe('/sign-in');
    // Registering a provider is open to anyone signed in, but is nobody's start.
    expect(findRoute('/org/register', session('WORKER'))).not.toBeNull();
    expect(homePathFor(session('WORKER'))).toBe('/demands/new');
  });
});
