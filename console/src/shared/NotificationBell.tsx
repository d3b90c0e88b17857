import { useCallback, useEffect, useState } from 'react';
import { BellOutline } from 'antd-mobile-icons';
import { Badge, Button, List, Popup } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { request } from './api.js';
import { formatDateTime } from './format.js';
import { useLiveSubscription } from './live.js';
import {
  MARK_NOTIFICATIONS_READ,
  NOTIFICATION_RECEIVED,
  NOTIFICATIONS,
  UNREAD_NOTIFICATION_COUNT,
  type BellNotification,
} from './operations.js';
import { useSignedIn } from './session-context.js';

/**
 * The header's bell for every signed-in user: the unread count, kept live by
 * `notificationReceived`, and on opening the latest notifications with "mark read".
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const { token } = useSignedIn();
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<BellNotification[] | null>(null);

  const readCount = useCallback(async () => {
    const data = await request<{ unreadNotificationCount: number }>(UNREAD_NOTIFICATION_COUNT, {}, token);
    setUnread(data.unreadNotificationCount);
  }, [token]);

  const readList = useCallback(async () => {
    const data = await request<{
      unreadNotificationCount: number;
      notifications: { edges: { node: BellNotification }[] };
    }>(NOTIFICATIONS, { first: 20 }, token);
    setUnread(data.unreadNotificationCount);
    setItems(data.notifications.edges.map((e) => e.node));
  }, [token]);

  useEffect(() => {
    void readCount().catch(() => undefined);
  }, [readCount]);

  useLiveSubscription<{ notificationReceived: { notifications: BellNotification[] } }>(
    NOTIFICATION_RECEIVED,
    {},
    (data) => {
      const arrived = data.notificationReceived.notifications;
      setUnread((n) => n + arrived.filter((a) => !a.read).length);
      setItems((list) =>
        list ? [...[...arrived].reverse(), ...list.filter((i) => !arrived.some((a) => a.id === i.id))] : list,
      );
    },
    // After a reconnection the count is read again: what arrived meanwhile was not announced.
    () => void readCount().catch(() => undefined),
  );

  const markRead = async (ids: string[] | null) => {
    const data = await request<{ markNotificationsRead: { unreadCount: number } }>(
      MARK_NOTIFICATIONS_READ,
      // "All" is all she has seen: one that arrived meanwhile stays unread.
      { input: ids ? { ids } : { all: true, upTo: items?.[0]?.id ?? null } },
      token,
    );
    setUnread(data.markNotificationsRead.unreadCount);
    setItems(
      (list) => list?.map((i) => (ids === null || ids.includes(i.id) ? { ...i, read: true } : i)) ?? list,
    );
  };

  return (
    <>
      <button
        type="button"
        className="bell"
        data-testid="notification-bell"
        aria-label={
          unread > 0
            ? t('common.notifications.bellWithCount', { count: unread })
            : t('common.notifications.bell')
        }
        onClick={() => {
          setOpen(true);
          void readList();
        }}
      >
        <Badge content={unread > 0 ? String(unread) : null}>
          <BellOutline aria-hidden="true" className="bell-icon" />
        </Badge>
      </button>
      <Popup visible={open} onMaskClick={() => setOpen(false)} position="right" bodyClassName="bell-popup">
        <section aria-label={t('common.notifications.title')} className="bell-panel">
          <header>
            <h2>{t('common.notifications.title')}</h2>
            <Button size="small" disabled={unread === 0} onClick={() => void markRead(null)}>
              {t('common.notifications.markAllRead')}
            </Button>
            <Button size="small" fill="none" onClick={() => setOpen(false)}>
              {t('common.close')}
            </Button>
          </header>
          {items && items.length === 0 && <p className="empty">{t('common.notifications.none')}</p>}
          {items && items.length > 0 && (
            <List>
              {items.map((n) => (
                <List.Item
                  key={n.id}
                  data-notification-id={n.id}
                  className={n.read ? 'read' : 'unread'}
                  description={
                    <>
                      <span>{n.body}</span>
                      <br />
                      <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                    </>
                  }
                  extra={
                    n.read ? null : (
                      <Button size="mini" onClick={() => void markRead([n.id])}>
                        {t('common.notifications.markRead')}
                      </Button>
                    )
                  }
                >
                  {n.read ? null : <span className="unread-dot">{t('common.notifications.unread')} · </span>}
                  {n.title}
                </List.Item>
              ))}
            </List>
          )}
        </section>
      </Popup>
    </>
  );
}
