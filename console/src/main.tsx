import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Board } from './Board.js';
import { Explorer } from './Explorer.js';
import { Gap } from './Gap.js';
import { isStaff, loadSession, saveSession, type Session } from './session.js';
import { SignIn } from './SignIn.js';
import './styles.css';

type Tab = 'board' | 'gap' | 'explorer';

/** The console: sign in, then the demand board, the gap report (staff) and the API explorer. */
function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [tab, setTab] = useState<Tab>(() => (session && isStaff(session.viewer) ? 'gap' : 'board'));

  const signedIn = (next: Session | null) => {
    saveSession(next);
    setSession(next);
    if (next) setTab(isStaff(next.viewer) ? 'gap' : 'board');
  };

  const tabs: [Tab, string][] = [
    ['board', '需求看板 Demand board'],
    ...(session && isStaff(session.viewer) ? ([['gap', '供需错位 Gap']] as [Tab, string][]) : []),
    ['explorer', 'API 浏览器 Explorer'],
  ];

  return (
    <>
      <nav>
        <strong>纽带 Niudai</strong>
        {tabs.map(([id, label]) => (
          <button key={id} type="button" className={tab === id ? 'active' : ''} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
        <span className="who" data-testid="viewer">
          {session ? session.viewer.displayName : ''}
        </span>
        {session && (
          <button type="button" onClick={() => signedIn(null)}>
            退出 Sign out
          </button>
        )}
      </nav>
      <main>
        {tab === 'explorer' ? (
          <Explorer token={session?.token ?? null} />
        ) : !session ? (
          <SignIn onSignedIn={signedIn} />
        ) : tab === 'gap' ? (
          <Gap session={session} />
        ) : (
          <Board session={session} />
        )}
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
