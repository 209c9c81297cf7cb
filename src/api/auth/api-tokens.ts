import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiConfig, ApiConfig, ApiRole } from '../../config/configuration';
import { readCookie, sameText, SESSION_COOKIE, SessionSeal, UiSession } from './session-seal';

/** Who is calling: a configured token's name (recorded as the actor) and role. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

/** How a request proved who it is: a bearer token, or a console session opened with one. */
export type ApiCredential =
  | { via: 'bearer'; principal: ApiPrincipal }
  | { via: 'session'; principal: ApiPrincipal; session: UiSession };

const BEARER = /^Bearer +(\S+) *$/i;
const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The configured API tokens, kept only as digests, and the console sessions opened with them. */
@Injectable()
export class ApiTokens {
  private readonly known: Array<{ principal: ApiPrincipal; digest: Buffer }>;
  private readonly seal: SessionSeal;

  constructor(@Inject(apiConfig.KEY) config: ApiConfig) {
    this.known = config.tokens.map(({ name, role, token }) => ({
      principal: { name, role },
      digest: sha256(token),
    }));
    this.seal = new SessionSeal(config.sessionSecret);
  }

  /** The owner of the bearer token in an Authorization header, or null. */
  identify(authorization: string | undefined): ApiPrincipal | null {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    return presented === undefined ? null : (this.ownerOf(presented)?.principal ?? null);
  }

  /**
   * The request's credential. An Authorization header decides alone, even a wrong one: a cookie
   * never rescues a refused bearer token. Without one, the console's session cookie counts.
   */
  authenticate(headers: IncomingHttpHeaders, now = Date.now()): ApiCredential | null {
    if (headers.authorization !== undefined) {
      const principal = this.identify(headers.authorization);
      return principal ? { via: 'bearer', principal } : null;
    }
    const signedIn = this.sessionOf(headers.cookie, now);
    return signedIn ? { via: 'session', ...signedIn } : null;
  }

  /** Signs in with a token: a new session and its cookie value, or null for an unknown token. */
  openSession(
    token: string,
    now = Date.now(),
  ): { principal: ApiPrincipal; session: UiSession; cookie: string } | null {
    const owner = this.ownerOf(token);
    if (!owner) return null;
    const { principal, digest } = owner;
    const session = this.seal.newSession(principal.name, principal.role, digest, now);
    return { principal, session, cookie: this.seal.seal(session) };
  }

  /**
   * The valid session in a Cookie header, with its owner as configured now (a role changed since
   * sign-in applies at once), or null.
   */
  sessionOf(
    cookieHeader: string | undefined,
    now = Date.now(),
  ): { principal: ApiPrincipal; session: UiSession } | null {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    const session = value ? this.seal.open(value, now) : null;
    if (!session) return null;
    const owner = this.known.find(({ principal }) => principal.name === session.name);
    if (!owner || !sameText(this.seal.tokenTag(owner.digest), session.tokenTag)) return null;
    return { principal: owner.principal, session };
  }

  /** The value a session's state-changing requests must send as X-CSRF-Token. */
  csrfToken(session: UiSession): string {
    return this.seal.csrfToken(session);
  }

  csrfMatches(session: UiSession, presented: string | string[] | undefined): boolean {
    return typeof presented === 'string' && sameText(presented, this.seal.csrfToken(session));
  }

  /**
   * Digests make every comparison the same length, and all tokens are compared without stopping
   * at a match, so the response time tells neither how much of a token matched nor which one did.
   */
  private ownerOf(presented: string): { principal: ApiPrincipal; digest: Buffer } | null {
    const digest = sha256(presented);
    let match: { principal: ApiPrincipal; digest: Buffer } | null = null;
    for (const entry of this.known) {
      if (timingSafeEqual(digest, entry.digest)) match = entry;
    }
    return match;
  }
}
