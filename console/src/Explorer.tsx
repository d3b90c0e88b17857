import { useMemo } from 'react';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import { bearer, HTTP_URL, wsUrl } from './api.js';

const DEFAULT_QUERY = `# Niudai (纽带) API explorer. Signed in, requests carry your token.
query Me {
  viewer {
    displayName
    roles
  }
}
`;

/** GraphiQL against the hub; HTTP and graphql-ws requests carry the session's token. */
export function Explorer({ token }: { token: string | null }) {
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
