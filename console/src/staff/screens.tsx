import { DesktopPage } from '../shared/desktop.js';
import { useRouteParams } from '../shared/router.js';
import { Fairness } from './Fairness.js';
import { StaffDemands } from './StaffDemands.js';
import { StaffProject } from './StaffProject.js';
import { StaffProjects } from './StaffProjects.js';

/** The staff screens as routes open them (loaded together, only by staff). */
export function StaffDemandsScreen() {
  return (
    <DesktopPage>
      <StaffDemands />
    </DesktopPage>
  );
}

export function StaffProjectsScreen() {
  return (
    <DesktopPage>
      <StaffProjects />
    </DesktopPage>
  );
}

export function StaffProjectScreen() {
  const { id = '' } = useRouteParams();
  return (
    <DesktopPage>
      <StaffProject key={id} projectId={id} />
    </DesktopPage>
  );
}

export function FairnessScreen() {
  return (
    <DesktopPage>
      <Fairness />
    </DesktopPage>
  );
}
