import { useState, type FormEvent } from 'react';
import { signIn, type Session } from './session.js';

/** The sign-in form: an email address or mobile number and a password. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(login, password));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="sign-in" onSubmit={(e) => void submit(e)}>
      <label>
        登录名 Login
        <input
          name="login"
          autoComplete="username"
          value={login}
          onChange={(e) => setLogin(e.target.value)}
        />
      </label>
      <label>
        密码 Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" disabled={busy || !login || !password}>
        登录 Sign in
      </button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}
