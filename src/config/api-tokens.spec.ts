import { parseApiTokens } from './api-tokens';

const ALICE = 'alice:operator:0123456789abcdef';
const BOB = 'bob:viewer:fedcba9876543210';

describe(parseApiTokens.name, () => {
  it('reads name:role:token entries', () => {
    expect(parseApiTokens(`${ALICE},${BOB}`)).toEqual({
      tokens: [
        { name: 'alice', role: 'operator', token: '0123456789abcdef' },
        { name: 'bob', role: 'viewer', token: 'fedcba9876543210' },
      ],
    });
  });

  it('keeps colons that belong to the token', () => {
    expect(parseApiTokens('ci.bot:viewer:a:b:c:d:e:f:g:h:i:j')).toEqual({
      tokens: [{ name: 'ci.bot', role: 'viewer', token: 'a:b:c:d:e:f:g:h:i:j' }],
    });
  });

  it('has no tokens when empty', () => {
    expect(parseApiTokens('')).toEqual({ tokens: [] });
  });

  it.each([
    ['a bad role', `${ALICE},carol:admin:0123456789abcdefX`, 'entry 2: role must be'],
    ['a short token', 'alice:operator:short-secret', 'entry 1: token must be at least 16'],
    ['a duplicate name', `${ALICE},alice:viewer:ffffffffffffffff`, 'entry 2: same name as entry 1'],
    [
      'a duplicate token',
      `${ALICE},carol:viewer:0123456789abcdef`,
      'entry 2: same token as entry 1',
    ],
    ['a bad name', 'al ice:viewer:0123456789abcdef', 'entry 1: name must be'],
    ['a missing field', `${ALICE},0123456789abcdef`, 'entry 2 must be name:role:token'],
    ['an empty entry', `${ALICE},,${BOB}`, 'entry 2 must be name:role:token'],
  ])('refuses %s, naming the entry but not its token', (_, value, problem) => {
    const result = parseApiTokens(value);
    expect(result).toEqual({ problems: [expect.stringContaining(problem)] });
    const text = JSON.stringify(result);
    for (const secret of ['0123456789abcdef', 'fedcba9876543210', 'short-secret', 'ffffffff']) {
      expect(text).not.toContain(secret);
    }
  });
});
