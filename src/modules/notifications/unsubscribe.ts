/**
 * One-click unsubscribe from e-mail, without signing in (RFC 8058): every notification e-mail
 * carries a link to `/notifications/unsubscribe?token=…`, where the token names the person and the
 * topic and is signed with an HMAC keyed by the JWT secret (so nobody can forge one for another
 * person or topic; it does not expire, since an old e-mail's link must still work).
 *
 * - `POST` (what mail clients send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and the
 *   page's button) turns that topic's e-mail OFF for that person, as her own choice;
 * - `GET` only shows a page with that button: mail scanners fetch links, and a fetch must not
 *   unsubscribe anyone.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sendJson } from '../../core/graphql/http.js';
import { NotificationTopic } from './notification.enums.js';
import { turnEmailOff } from './notification-preferences.js';

export const UNSUBSCRIBE_PATH = '/notifications/unsubscribe';

/** Keeps these signatures apart from anything else signed with the same secret. */
const PURPOSE = 'niudai/unsubscribe/v1';

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`${PURPOSE}\n${payload}`, 'utf8').digest('base64url');
}

/** The token for one person and topic: `<user id>.<topic>.<signature>`. */
export function unsubscribeToken(secret: string, userId: number, topic: NotificationTopic): string {
  const payload = `${userId}.${topic}`;
  return `${payload}.${signature(secret, payload)}`;
}

/** The link an e-mail about `topic` to this person carries. */
export function unsubscribeUrl(
  publicUrl: string,
  secret: string,
  userId: number,
  topic: NotificationTopic,
): string {
  return `${publicUrl}${UNSUBSCRIBE_PATH}?token=${unsubscribeToken(secret, userId, topic)}`;
}

/** The person and topic of a genuine token; null for anything else. */
export function readUnsubscribeToken(
  secret: string,
  token: string,
): { userId: number; topic: NotificationTopic } | null {
  const match = /^([1-9][0-9]{0,15})\.([A-Z_]{1,40})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, id, topic, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(signature(secret, `${id}.${topic}`));
  if (!timingSafeEqual(Buffer.from(given), expected)) return null;
  if (!(Object.values(NotificationTopic) as string[]).includes(topic)) return null;
  return { userId: Number(id), topic: topic as NotificationTopic };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The token is in the URL: never pass it on to another site.
    'referrer-policy': 'no-referrer',
  });
  res.end(
    `<!doctype html><html lang="zh"><meta charset="utf-8"><title>退订邮件</title><body>${body}</body></html>`,
  );
}

/** Serves `UNSUBSCRIBE_PATH`. */
export async function serveUnsubscribe(
  em: EntityManager,
  secret: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const token = url.searchParams.get('token') ?? '';
  const target = readUnsubscribeToken(secret, token);
  if (!target)
    return sendJson(res, 400, {
      errors: [
        {
          message: 'The unsubscribe link is not valid.',
          extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'token', message: 'not a valid link' }] },
        },
      ],
    });
  if (req.method === 'GET' || req.method === 'HEAD')
    return sendHtml(
      res,
      200,
      `<form method="post" action="${escapeHtml(`${UNSUBSCRIBE_PATH}?token=${token}`)}">` +
        '<p>不再通过邮件接收此类通知？ / Stop these e-mails?</p><button type="submit">退订 / Unsubscribe</button></form>',
    );
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, HEAD, POST' });
    return void res.end();
  }
  // The body (`List-Unsubscribe=One-Click`, or the page's empty form) says nothing the token does not.
  req.resume();
  const [user] = await em.execute<{ id: string }[]>('select "id" from "app_user" where "id" = ?', [
    target.userId,
  ]);
  if (!user)
    return sendJson(res, 404, {
      errors: [{ message: 'This account no longer exists.', extensions: { code: 'NOT_FOUND' } }],
    });
  await turnEmailOff(em, target.userId, target.topic);
  sendHtml(res, 200, '<p>已退订此类邮件通知。 / You will no longer receive these e-mails.</p>');
}
