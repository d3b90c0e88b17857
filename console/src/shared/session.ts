import { request } from './api.js';
import { SIGN_IN, SIGN_UP, VIEWER } from '../operations.js';

/** The signed-in user, as the console needs it. */
export interface SessionViewer {
  id: string;
  displayName: string;
  roles: string[];
  regionScope: { code: string; name: string } | null;
}

/** A token and who it belongs to; kept in localStorage so a reload keeps the user signed in. */
export interface Session {
  token: string;
  expiresAt: string;
  viewer: SessionViewer;
}

const KEY = 'niudai.console.session';

/** The stored session, unless absent, unreadable or expired. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

/** Signs in with an email address or mobile number and a password. */
export async function signIn(login: string, password: string): Promise<Session> {
  const data = await request<{ signIn: Session }>(SIGN_IN, { input: { login, password } });
  return data.signIn;
}

/** Whether the viewer may read the supply–demand gap with its demand counts. */
export const isStaff = (viewer: SessionViewer): boolean =>
  viewer.roles.some((role) => role === 'UNION_STAFF' || role === 'GOV_STAFF' || role === 'ADMIN');

/** Whether the viewer holds any of the roles (her account's own and her organization roles). */
export const hasRole = (viewer: SessionViewer, ...roles: string[]): boolean =>
  viewer.roles.some((role) => roles.includes(role));

/** A worker: submits, endorses and follows demands. */
export const isWorker = (viewer: SessionViewer): boolean => hasRole(viewer, 'WORKER');

/** A member (or admin) of a social organization. */
export const isOrgMember = (viewer: SessionViewer): boolean => hasRole(viewer, 'ORG_ADMIN', 'ORG_MEMBER');

export const isAdmin = (viewer: SessionViewer): boolean => hasRole(viewer, 'ADMIN');

/** Signs a worker up with a mobile number; answers a session as signing in does. */
export async function signUp(input: {
  displayName: string;
  mobile: string;
  password: string;
}): Promise<Session> {
  const data = await request<{ signUp: Session }>(SIGN_UP, { input });
  return data.signUp;
}

/** The viewer as the hub sees her now (roles change when she registers or joins an organization). */
export async function fetchViewer(token: string): Promise<SessionViewer | null> {
  const data = await request<{ viewer: SessionViewer | null }>(VIEWER, {}, token);
  return data.viewer;
}
