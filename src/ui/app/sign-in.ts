import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { api, toApiError } from './api';
import type { Session } from './types';
import { view } from './view';

interface SignInProps {
  notice: string;
  onSignedIn: (session: Session) => void;
}

export function SignIn({ notice, onSignedIn }: SignInProps): VNode {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const session = await api.signIn(token.trim());
      setToken('');
      onSignedIn(session);
    } catch (err) {
      const problem = toApiError(err);
      setError(
        problem.status === 401
          ? 'That token is not valid.'
          : problem.status === 429
            ? 'Too many attempts; wait a minute.'
            : problem.message,
      );
    } finally {
      setBusy(false);
    }
  }

  return view`<main class="signin">
    <form class="card" onSubmit=${submit} aria-labelledby="signin-title">
      <h1 id="signin-title">StackLens triage console</h1>
      <p>
        Sign in with an API token from <code>API_TOKENS</code>. Viewer tokens can look; operator
        tokens can also acknowledge, resolve and link tickets.
      </p>
      <p class="notice" role="status">${notice}</p>
      <label for="token">API token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="current-password"
        required
        value=${token}
        onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
      <p class="error" role="alert">${error}</p>
      <p class="hint">
        The token is exchanged for a session cookie that this page cannot read, valid for 8 hours in
        this browser; the page does not keep the token.
      </p>
    </form>
  </main>`;
}
