import type { ReactNode } from 'react';
import { DesktopPage } from '../shared/desktop.js';
import { ActingOrganization, type Acting } from './acting.js';
import { ApplicationsPage } from './ApplicationsPage.js';
import { ClaimsPage } from './ClaimsPage.js';
import { HubPage } from './HubPage.js';
import { MembersPage } from './MembersPage.js';
import { ProfilePage } from './ProfilePage.js';
import { ProjectsPage } from './ProjectsPage.js';
import { RegisterPage } from './RegisterPage.js';
import { ServicesPage } from './ServicesPage.js';
import { WebhooksPage } from './WebhooksPage.js';

/** A screen of the organization area: antd's setup, then the organization the viewer acts for. */
function OrganizationScreen({
  adminOnly = false,
  children,
}: {
  adminOnly?: boolean;
  children: (acting: Acting) => ReactNode;
}) {
  return (
    <DesktopPage>
      <div className="org-screen">
        <ActingOrganization adminOnly={adminOnly}>{children}</ActingOrganization>
      </div>
    </DesktopPage>
  );
}

export const ClaimsScreen = () => <OrganizationScreen>{(a) => <ClaimsPage acting={a} />}</OrganizationScreen>;
export const ProfileScreen = () => (
  <OrganizationScreen>{(a) => <ProfilePage acting={a} />}</OrganizationScreen>
);
export const ServicesScreen = () => (
  <OrganizationScreen>{(a) => <ServicesPage acting={a} />}</OrganizationScreen>
);
export const MembersScreen = () => (
  <OrganizationScreen>{(a) => <MembersPage acting={a} />}</OrganizationScreen>
);
export const HubScreen = () => <OrganizationScreen>{(a) => <HubPage acting={a} />}</OrganizationScreen>;
export const ProjectsScreen = () => (
  <OrganizationScreen>{(a) => <ProjectsPage acting={a} />}</OrganizationScreen>
);
export const ApplicationsScreen = () => (
  <OrganizationScreen>{(a) => <ApplicationsPage acting={a} />}</OrganizationScreen>
);
/** Webhook endpoints are for the organization's admins only (the API answers them alone). */
export const WebhooksScreen = () => (
  <OrganizationScreen adminOnly>{(a) => <WebhooksPage acting={a} />}</OrganizationScreen>
);
/** Registering an organization needs no membership: anyone signed in registers one and becomes its admin. */
export const RegisterScreen = () => (
  <DesktopPage>
    <div className="org-screen">
      <RegisterPage />
    </div>
  </DesktopPage>
);
