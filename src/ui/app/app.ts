import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AlertList } from './alert-list';
import { AlertPage } from './alert-page';
import { api, onSignedOut, setCsrfToken } from './api';
import { useToasts } from './messages';
import { followLink, useRoute } from './router';
import { SignIn } from './sign-in';
import { SummaryBar } from './summary-bar';
import type { Session } from './types';
import { view } from './view';

export function App(): VNode {
  /** undefined while asking the service whether this browser is signed in. */
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState('');

  const signedIn = (s: Session | null) => {
    setCsrfToken(s?.csrf_token ?? '');
    setSession(s);
  };

  useEffect(() => {
    onSignedOut(() => {
      setNotice('Your session has ended; sign in again.');
      signedIn(null);
    });
    api.session().then(signedIn, () => signedIn(null));
  }, []);

  if (session === undefined) return view`<div class="booting" aria-busy="true"></div>`;
  if (session === null) {
    return view`<${SignIn}
      notice=${notice}
      onSignedIn=${(s: Session) => {
        setNotice('');
        signedIn(s);
      }}
    />`;
  }
  return view`<${Shell}
    session=${session}
    onSignOut=${async () => {
      await api.signOut().catch(() => undefined);
      setNotice('Signed out.');
      signedIn(null);
    }}
  />`;
}

const SHORTCUTS: Array<[string[], string]> = [
  [['j', 'k'], 'move'],
  [['Enter'], 'open'],
  [['a'], 'acknowledge'],
  [['r'], 'resolve'],
  [['/'], 'search'],
  [['Esc'], 'back to the list'],
];

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }): VNode {
  const route = useRoute();
  const toasts = useToasts();
  return view`<div class="shell">
    <header class="topbar">
      <a class="brand" href="/ui" onClick=${followLink}>StackLens <span>triage</span></a>
      <${SummaryBar} />
      <div class="who">
        <span class="who-name" title=${`Signed in as ${session.name} (${session.role})`}
          >${session.name} <span class="role">${session.role}</span></span
        >
        <button type="button" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="main">
      ${
        route.page === 'alert'
          ? view`<${AlertPage} key=${route.id} id=${route.id} session=${session} />`
          : view`<${AlertList} key=${route.search} search=${route.search} session=${session} />`
      }
    </main>
    <footer>
      <ul class="keys" aria-label="Keyboard shortcuts">
        ${SHORTCUTS.map(
          ([keys, what]) =>
            view`<li key=${what}>${keys.map((k) => view`<kbd>${k}</kbd>`)} ${what}</li>`,
        )}
      </ul>
    </footer>
    <div class="toasts" role="status" aria-live="polite">
      ${toasts.map((t) => view`<p key=${t.id} class=${`toast toast-${t.kind}`}>${t.text}</p>`)}
    </div>
  </div>`;
}
