import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { apiConfig, ApiConfig, ApiRole } from '../../config/configuration';

/** Who is calling: a configured token's name (recorded as the actor) and role. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

const BEARER = /^Bearer +(\S+) *$/i;
const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The configured API tokens, kept only as digests. */
@Injectable()
export class ApiTokens {
  private readonly known: Array<{ principal: ApiPrincipal; digest: Buffer }>;

  constructor(@Inject(apiConfig.KEY) config: ApiConfig) {
    this.known = config.tokens.map(({ name, role, token }) => ({
      principal: { name, role },
      digest: sha256(token),
    }));
  }

  /**
   * The owner of the bearer token in an Authorization header, or null. Digests make every
   * comparison the same length, and all tokens are compared without stopping at a match, so the
   * response time tells neither how much of a token matched nor which one did.
   */
  identify(authorization: string | undefined): ApiPrincipal | null {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    if (presented === undefined) return null;
    const digest = sha256(presented);
    let match: ApiPrincipal | null = null;
    for (const { principal, digest: expected } of this.known) {
      if (timingSafeEqual(digest, expected)) match = principal;
    }
    return match;
  }
}
