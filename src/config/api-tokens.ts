export const API_ROLES = ['viewer', 'operator'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiToken {
  name: string;
  role: ApiRole;
  token: string;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_TOKEN_LENGTH = 16;

export type ApiTokensResult = { tokens: ApiToken[] } | { problems: string[] };

/**
 * Reads API_TOKENS: comma-separated `name:role:token` entries; the token is everything after the
 * second colon, so it may contain colons. Problems name the entry by its position (counting from
 * 1) and never quote it: an entry whose fields were swapped would put a token in the message.
 */
export function parseApiTokens(value: string): ApiTokensResult {
  if (value.trim() === '') return { tokens: [] };
  const problems: string[] = [];
  const tokens: ApiToken[] = [];
  const byName = new Map<string, number>();
  const byToken = new Map<string, number>();

  const entries = value.split(',');
  for (const [i, raw] of entries.entries()) {
    const entry = `entry ${i + 1}`;
    const [name = '', role = '', ...rest] = raw.trim().split(':');
    const token = rest.join(':');
    if (rest.length === 0) {
      problems.push(`${entry} must be name:role:token`);
      continue;
    }
    if (!NAME.test(name)) problems.push(`${entry}: name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (!isRole(role)) problems.push(`${entry}: role must be ${API_ROLES.join(' or ')}`);
    if (token.length < MIN_TOKEN_LENGTH) {
      problems.push(`${entry}: token must be at least ${MIN_TOKEN_LENGTH} characters`);
    }
    const sameName = byName.get(name);
    if (sameName) problems.push(`${entry}: same name as entry ${sameName}`);
    else byName.set(name, i + 1);
    const sameToken = byToken.get(token);
    if (sameToken) problems.push(`${entry}: same token as entry ${sameToken}`);
    else byToken.set(token, i + 1);
    if (isRole(role)) tokens.push({ name, role, token });
  }
  return problems.length > 0 ? { problems } : { tokens };
}

function isRole(role: string): role is ApiRole {
  return (API_ROLES as readonly string[]).includes(role);
}
