import { unknownVariableWarnings } from './unknown-variables';

describe(unknownVariableWarnings.name, () => {
  it('suggests the setting a typo was meant to be', () => {
    expect(unknownVariableWarnings({ KAFKA_BROKER: 'a:1' })).toEqual([
      { variable: 'KAFKA_BROKER', suggestion: 'KAFKA_BROKERS' },
    ]);
  });

  it('lists a name without a close match, without a suggestion', () => {
    expect(unknownVariableWarnings({ DATABASE_FAVOURITE_COLOUR: 'blue' })).toEqual([
      { variable: 'DATABASE_FAVOURITE_COLOUR' },
    ]);
  });

  it('suggests the JIRA_ setting a typo was meant to be, and knows the real ones', () => {
    expect(unknownVariableWarnings({ JIRA_BASE_ULR: 'x', JIRA_PAT: 'y' })).toEqual([
      { variable: 'JIRA_BASE_ULR', suggestion: 'JIRA_BASE_URL' },
    ]);
  });

  it('ignores known settings, other prefixes and variables of other programs', () => {
    expect(
      unknownVariableWarnings({
        KAFKA_BROKERS: 'a:1',
        API_TOKENS: '',
        PATH: '/usr/bin',
        HTTP_PROXY: 'http://proxy:3128',
        KAFKA_SERVICE_HOST: '10.0.0.7',
        KAFKA_PORT: 'tcp://10.0.0.7:9092',
        KAFKA_PORT_9092_TCP_ADDR: '10.0.0.7',
        HTTP_PORTS: undefined,
      }),
    ).toEqual([]);
  });

  it('lists every unknown name, sorted', () => {
    const warnings = unknownVariableWarnings({ HTTP_PROT: '1', ALERT_MAX_NEW: '5' });
    expect(warnings.map((w) => w.variable)).toEqual(['ALERT_MAX_NEW', 'HTTP_PROT']);
    expect(warnings[1]).toEqual({ variable: 'HTTP_PROT', suggestion: 'HTTP_PORT' });
  });
});
