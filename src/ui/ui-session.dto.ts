import type { ApiPrincipal } from '../api/auth/api-tokens';
import type { UiSession } from '../api/auth/session-seal';

/** Who is signed in, and the token the page sends as X-CSRF-Token with every change. */
export interface UiSessionDto {
  name: string;
  role: ApiPrincipal['role'];
  csrf_token: string;
  expires_at: string;
}

export const uiSessionDto = (
  principal: ApiPrincipal,
  session: UiSession,
  csrfToken: string,
): UiSessionDto => ({
  name: principal.name,
  role: principal.role,
  csrf_token: csrfToken,
  expires_at: new Date(session.expiresAt).toISOString(),
});
