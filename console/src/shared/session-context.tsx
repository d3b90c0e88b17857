import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { disposeLiveConnections } from './live.js';
import { fetchViewer, loadSession, saveSession, type Session } from './session.js';

export interface SessionState {
  /** The signed-in user and her token; null when signed out. */
  session: Session | null;
  /** Starts (or, with null, ends) a session; it is kept on this device. */
  setSession: (next: Session | null) => void;
  /** Reads the viewer again (her roles change when she registers or joins an organization). */
  refreshViewer: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setState] = useState<Session | null>(loadSession);

  const setSession = useCallback((next: Session | null) => {
    saveSession(next);
    if (!next) disposeLiveConnections();
    setState(next);
  }, []);

  const refreshViewer = useCallback(async () => {
    if (!session) return;
    const viewer = await fetchViewer(session.token);
    setSession(viewer ? { ...session, viewer } : null);
  }, [session, setSession]);

  const value = useMemo(() => ({ session, setSession, refreshViewer }), [session, setSession, refreshViewer]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session state; every screen is rendered inside the provider. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session, for screens whose route is visible only when signed in. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn on a screen for signed-in users');
  return session;
}
