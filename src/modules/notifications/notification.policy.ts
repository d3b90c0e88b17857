/**
 * Who sees a notification: its recipient — for an organization's, its current members (its admins
 * when it is for them alone) who joined before it was made — and nobody else, not admins either (it
 * may quote a demand's title to a worker, or a suspension's reason to an organization's members).
 * `NotificationService.get` and the inbox queries read only the viewer's own rows and her
 * organizations' (notification.service.ts); the live `notificationReceived` feed reads them the
 * same way, under live rights.
 *
 * @module
 */
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import type { NotificationService } from './notification.service.js';

/** `node(id: "Notification:…")`: to its recipient only; anyone else gets what an unknown id gets. */
export function installNotificationRules(services: {
  nodes: NodeRegistry;
  notifications: NotificationService;
}): void {
  const { nodes, notifications } = services;
  nodes.registerById('Notification', (ctx, id) => notifications.get(ctx, id));
}
