import { StrictMode, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { unstableSetRender } from 'antd-mobile';
import './i18n.js';
import { findRoute, homePathFor, navigationFor } from './routes.js';
import { Layout } from './shared/Layout.js';
import { navigate, RouteParamsContext, useHashPath } from './shared/router.js';
import { SessionProvider, useSession } from './shared/session-context.js';
import './styles.css';

/**
 * The console: the screen the hash names if this session may open it, otherwise the session's
 * first screen (sign-in when signed out), so signing in or out lands somewhere sensible.
 */
function App() {
  const { session } = useSession();
  const path = useHashPath();
  const found = findRoute(path, session);

  useEffect(() => {
    if (!found) navigate(homePathFor(session), { replace: true });
  }, [found, session]);

  return (
    <Layout navigation={navigationFor(session)} current={found?.route ?? null}>
      {found && (
        <RouteParamsContext.Provider value={found.params} key={found.route.path}>
          {found.route.element}
        </RouteParamsContext.Provider>
      )}
    </Layout>
  );
}

/**
 * antd-mobile 5 renders its imperative pieces (Dialog.confirm, Toast.show) with ReactDOM.render,
 * which React 19 removed: give it React 19's root API, as its React 19 guide says (one root per
 * container; unmounted after the current render).
 */
const portalRoots = new WeakMap<Element | DocumentFragment, Root>();
unstableSetRender((node, container) => {
  let portalRoot = portalRoots.get(container);
  if (!portalRoot) {
    portalRoot = createRoot(container);
    portalRoots.set(container, portalRoot);
  }
  portalRoot.render(node);
  const mounted = portalRoot;
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    mounted.unmount();
    portalRoots.delete(container);
  };
});

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <SessionProvider>
        <App />
      </SessionProvider>
    </StrictMode>,
  );
