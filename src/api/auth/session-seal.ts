import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_ROLES, type ApiRole } from '../../config/api-tokens';

/** The triage console's session cookie. */
export const SESSION_COOKIE = 'stacklens_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * A console session: stateless, so nothing is stored server-side and any instance with the same
 * secret accepts it. Signed, not encrypted: nothing in it is secret.
 */
export interface UiSession {
  /** Random; the CSRF token is derived from it. */
  id: string;
  /** The token's name when the session was opened; the actor of the session's changes. */
  name: string;
  role: ApiRole;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Binds the session to the token it was opened with: a rotated or removed token ends it. */
  tokenTag: string;
}

/** Used when UI_SESSION_SECRET is unset: sessions then end with this process. */
const PROCESS_SECRET = randomBytes(32);

/**
 * Seals sessions into cookie values and opens them again: `base64url(payload).mac`, where
 * mac = HMAC-SHA256(secret, 'session:' + payload). Every MAC has its purpose as a prefix, so a
 * CSRF token (HMAC(secret, 'csrf:' + session id)) can never pass for a session signature.
 */
export class SessionSeal {
  private readonly secret: Buffer;

  constructor(secret: string | null) {
    this.secret = secret === null ? PROCESS_SECRET : Buffer.from(secret, 'utf8');
  }

  newSession(name: string, role: ApiRole, tokenDigest: Buffer, now: number): UiSession {
    return {
      id: randomBytes(16).toString('base64url'),
      name,
      role,
      expiresAt: now + SESSION_TTL_MS,
      tokenTag: this.tokenTag(tokenDigest),
    };
  }

  seal(session: UiSession): string {
    const { id, name, role, expiresAt, tokenTag } = session;
    const payload = Buffer.from(JSON.stringify([id, name, role, expiresAt, tokenTag])).toString(
      'base64url',
    );
    return `${payload}.${this.mac('session', payload)}`;
  }

  /** The session in a cookie value, or null when forged, altered, malformed or expired. */
  open(value: string, now: number): UiSession | null {
    const parts = value.split('.');
    if (parts.length !== 2 || !sameText(parts[1], this.mac('session', parts[0]))) return null;
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(fields) || fields.length !== 5) return null;
    const [id, name, role, expiresAt, tokenTag] = fields as unknown[];
    if (
      typeof id !== 'string' ||
      typeof name !== 'string' ||
      !API_ROLES.includes(role as ApiRole) ||
      typeof expiresAt !== 'number' ||
      typeof tokenTag !== 'string' ||
      expiresAt <= now
    ) {
      return null;
    }
    return { id, name, role: role as ApiRole, expiresAt, tokenTag };
  }

  csrfToken(session: UiSession): string {
    return this.mac('csrf', session.id);
  }

  /** A MAC of the token's digest: matches only the token the session was opened with. */
  tokenTag(tokenDigest: Buffer): string {
    return this.mac('token', tokenDigest.toString('hex'));
  }

  private mac(purpose: string, text: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${text}`).digest('base64url');
  }
}

/** Constant-time equality of two texts of any length (their digests are compared). */
export function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** One cookie's value from a Cookie header; undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Set-Cookie for the session: HttpOnly (page scripts never see it), SameSite=Strict (no other
 * site's page sends it), Secure when the console is reached over https. An empty value with
 * Max-Age=0 deletes it.
 */
export function sessionCookie(value: string, maxAgeMs: number, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
  ];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}
