import { createHmac } from 'node:crypto';
import {
  readCookie,
  SESSION_TTL_MS,
  sessionCookie,
  SessionSeal,
  type UiSession,
} from './session-seal';

const SECRET = 'a-session-secret-of-32-characters!';
const NOW = Date.parse('2026-11-28T12:00:00Z');
const digest = Buffer.alloc(32, 7);

describe(SessionSeal.name, () => {
  const sut = new SessionSeal(SECRET);
  const session = (): UiSession => sut.newSession('alice', 'operator', digest, NOW);

  it('opens what it sealed, until it expires 8 hours later', () => {
    const s = session();
    expect(s.expiresAt).toBe(NOW + SESSION_TTL_MS);
    expect(sut.open(sut.seal(s), NOW + SESSION_TTL_MS - 1)).toEqual(s);
    expect(sut.open(sut.seal(s), NOW + SESSION_TTL_MS)).toBeNull();
  });

  it('gives every session its own random id', () => {
    expect(session().id).not.toBe(session().id);
  });

  it.each([
    [
      'an altered payload',
      (v: string) =>
        `${Buffer.from('["x","alice","operator",1,"t"]').toString('base64url')}.${v.split('.')[1]}`,
    ],
    ['an altered signature', (v: string) => `${v.slice(0, -2)}xx`],
    ['no signature', (v: string) => v.split('.')[0]],
    ['an extra part', (v: string) => `${v}.x`],
    ['garbage', () => 'not a session'],
  ])('refuses %s', (_, tamper) => {
    expect(sut.open(tamper(sut.seal(session())), NOW)).toBeNull();
  });

  it('refuses a session sealed with another secret', () => {
    const other = new SessionSeal('another-secret-of-32-characters-xx');
    expect(sut.open(other.seal(session()), NOW)).toBeNull();
  });

  it('refuses a well-signed payload of the wrong shape', () => {
    const payload = Buffer.from(
      JSON.stringify(['id', 'alice', 'admin', NOW + 1000, 'tag']),
    ).toString('base64url');
    const mac = createHmac('sha256', SECRET).update(`session:${payload}`).digest('base64url');
    expect(sut.open(`${payload}.${mac}`, NOW)).toBeNull();
  });

  it("derives the CSRF token as HMAC(secret, 'csrf:' + session id), unlike the session's MAC", () => {
    const s = session();
    const expected = createHmac('sha256', SECRET).update(`csrf:${s.id}`).digest('base64url');
    expect(sut.csrfToken(s)).toBe(expected);
    expect(sut.seal(s).split('.')[1]).not.toBe(expected);
  });

  it('uses a random secret of this process when none is configured', () => {
    const a = new SessionSeal(null);
    const b = new SessionSeal(null);
    const s = a.newSession('alice', 'viewer', digest, NOW);
    expect(b.open(a.seal(s), NOW)).toEqual(s);
    expect(sut.open(a.seal(s), NOW)).toBeNull();
  });
});

describe(readCookie.name, () => {
  it('finds one cookie among others, and nothing when absent', () => {
    expect(readCookie('a=1; stacklens_session=abc.def; b=2', 'stacklens_session')).toBe('abc.def');
    expect(readCookie('xstacklens_session=1', 'stacklens_session')).toBeUndefined();
    expect(readCookie(undefined, 'stacklens_session')).toBeUndefined();
  });
});

describe(sessionCookie.name, () => {
  it('is HttpOnly and SameSite=Strict on the whole site, Secure over https', () => {
    expect(sessionCookie('v', SESSION_TTL_MS, false)).toBe(
      'stacklens_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800',
    );
    expect(sessionCookie('', 0, true)).toBe(
      'stacklens_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});
