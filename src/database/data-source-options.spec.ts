import { databaseConfigFrom } from '../config/configuration';
import { postgresSsl } from './data-source-options';

const ssl = (mode: string) => postgresSsl(databaseConfigFrom({ DATABASE_SSL_MODE: mode }));

describe(postgresSsl.name, () => {
  it('is off for disable', () => expect(ssl('disable')).toBe(false));

  it('encrypts without verifying for require', () => {
    expect(ssl('require')).toEqual({ rejectUnauthorized: false });
  });

  it('verifies the chain but not the host name for verify-ca', () => {
    const options = ssl('verify-ca') as {
      rejectUnauthorized: boolean;
      checkServerIdentity: () => unknown;
    };
    expect(options.rejectUnauthorized).toBe(true);
    expect(options.checkServerIdentity()).toBeUndefined();
  });

  it('verifies chain and host name for verify-full', () => {
    expect(ssl('verify-full')).toEqual({ rejectUnauthorized: true });
  });
});
