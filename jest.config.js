// One command runs everything: unit specs next to the code, integration specs against the real
// Kafka broker and Postgres (started, if needed, by test/support/global-setup.ts).
const transform = { '^.+\\.ts$': 'ts-jest' };

module.exports = {
  // Unit specs touch no infrastructure: a hang is a bug, reported in seconds. The integration
  // and fault projects raise it in test/support/long-timeout.ts.
  testTimeout: 5_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/long-timeout.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 60,
    },
    {
      // Kills and restarts the service, Postgres' connection and the broker itself: run in band
      // (npm test and npm run test:faults both do) so no other spec shares a broker restart.
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/long-timeout.ts'],
      globalSetup: '<rootDir>/test/faults/global-setup.ts',
      globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
      slowTestThreshold: 120,
    },
  ],
};
