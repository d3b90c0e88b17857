import { DesktopPage } from '../shared/desktop.js';
import { AdminOrganizations } from './AdminOrganizations.js';
import { Publishers } from './Publishers.js';
import { StaffAccounts } from './StaffAccounts.js';
import { VerificationQueue } from './VerificationQueue.js';

/** The admin screens as routes open them (loaded together, only by those who may use them). */
export function VerificationQueueScreen() {
  return (
    <DesktopPage>
      <VerificationQueue />
    </DesktopPage>
  );
}

export function AdminOrganizationsScreen() {
  return (
    <DesktopPage>
      <AdminOrganizations />
    </DesktopPage>
  );
}

export function StaffAccountsScreen() {
  return (
    <DesktopPage>
      <StaffAccounts />
    </DesktopPage>
  );
}

export function PublishersScreen() {
  return (
    <DesktopPage>
      <Publishers />
    </DesktopPage>
  );
}
