import { useEffect, useMemo } from 'react';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { bearer, HTTP_URL, wsUrl } from './shared/api.js';
import { useSession } from './shared/session-context.js';

const DEFAULT_QUERY = `# Niudai (纽带) API explorer. Signed in, requests carry your token.
query Me {
  viewer {
    displayName
    roles
  }
}
`;

/**
 * GraphiQL's stylesheet is its own file (src/console/build.ts), linked only when the explorer is
 * first shown: esbuild does not load the CSS of a lazily imported chunk by itself.
 */
const STYLESHEET = '/console/explorer.css';

function useExplorerStylesheet(): void {
  useEffect(() => {
    if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    document.head.append(link);
  }, []);
}

/** GraphiQL against the hub; HTTP and graphql-ws requests carry the session's token. */
export function Explorer({ token }: { token: string | null }) {
  useExplorerStylesheet();
  const fetcher = useMemo(() => {
    const authorization = token ? bearer(token) : undefined;
    return createGraphiQLFetcher({
      url: HTTP_URL,
      subscriptionUrl: wsUrl(),
      headers: authorization ? { authorization } : {},
      wsConnectionParams: authorization ? { authorization } : {},
    });
  }, [token]);
  return (
    <div className="explorer">
      <GraphiQL key={token ?? 'anonymous'} fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />
    </div>
  );
}

/** The explorer as a routed screen, with the session's token when signed in. */
export function ExplorerScreen() {
  return <Explorer token={useSession().session?.token ?? null} />;
}
