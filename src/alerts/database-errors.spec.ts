import { AlertRaceError } from './alert-groups.writer';
import { classifyDatabaseError } from './database-errors';

const pg = (code: string, extra: object = {}) =>
  Object.assign(new Error(`pg error ${code}`), { code, ...extra });

describe(classifyDatabaseError.name, () => {
  it.each([
    ['57P01 admin shutdown', pg('57P01')],
    ['08006 connection failure', pg('08006')],
    ['53300 too many connections', pg('53300')],
    ['40001 serialization failure', pg('40001')],
    ['40P01 deadlock', pg('40P01')],
    ['28P01 bad password (this pod cannot log in)', pg('28P01')],
    ['ECONNREFUSED', pg('ECONNREFUSED')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a query timeout', new Error('Query read timeout')],
    [
      'a lost race on the open-fingerprint index',
      pg('23505', { constraint: 'alerts_open_fingerprint_uq' }),
    ],
    ['a lost race found by the writer', new AlertRaceError('x')],
    ['a TypeORM wrapper', Object.assign(new Error('wrapped'), { driverError: { code: '57P01' } })],
  ])('%s is transient', (_name, err) => {
    expect(classifyDatabaseError(err)).toBe('transient');
  });

  it.each([
    ['22P05 \\u0000 in jsonb', pg('22P05')],
    ['23514 CHECK violation', pg('23514')],
    ['54001 nested too deep', pg('54001')],
  ])('%s is a data error', (_name, err) => {
    expect(classifyDatabaseError(err)).toBe('data');
  });

  it.each([
    ['a TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['42P01 undefined table', pg('42P01')],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('%s is unknown', (_name, err) => {
    expect(classifyDatabaseError(err)).toBe('unknown');
  });
});
