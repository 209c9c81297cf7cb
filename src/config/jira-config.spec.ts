import { loadAppConfig } from './app-config';
import { InvalidConfigError, validateEnvironment } from './environment';

/** Each test uses its own values, so it never meets a config an earlier test left cached. */
let run = 0;
const unique = () => ({ KAFKA_CLIENT_ID: `jira-config-spec-${++run}` });

const cloud = {
  JIRA_BASE_URL: 'https://example.atlassian.net/',
  JIRA_EMAIL: 'bot@example.com',
  JIRA_API_TOKEN: 'atlassian-api-token-secret',
  JIRA_PROJECT_KEY: 'OPS',
};

function problemsOf(raw: Record<string, string>): string {
  try {
    validateEnvironment(raw);
  } catch (err) {
    if (err instanceof InvalidConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('Jira settings', () => {
  it('are off without JIRA_BASE_URL, with the documented defaults', () => {
    expect(loadAppConfig(unique()).jira).toEqual({
      enabled: false,
      baseUrl: '',
      api: 'cloud',
      credentials: null,
      projectKey: '',
      issueType: 'Bug',
      createFor: ['critical'],
      minOccurrences: 1,
      resolveTransition: 'Done',
      reopenTransition: 'Reopen',
      updateIntervalMs: 3_600_000,
      alertUrlTemplate: null,
      webhookSecret: null,
      timeoutMs: 10_000,
      outboxRetentionMs: 30 * 86_400_000,
    });
  });

  it('read Cloud with email and API token', () => {
    const sut = loadAppConfig({
      ...unique(),
      ...cloud,
      JIRA_CREATE_FOR: 'critical, warning',
      JIRA_MIN_OCCURRENCES: '5',
      JIRA_UPDATE_INTERVAL: '30m',
      JIRA_ALERT_URL_TEMPLATE: 'https://stacklens.example/ui/alerts/{id}',
    }).jira;
    expect(sut).toMatchObject({
      enabled: true,
      baseUrl: 'https://example.atlassian.net',
      credentials: { kind: 'basic', email: 'bot@example.com', apiToken: cloud.JIRA_API_TOKEN },
      createFor: ['critical', 'warning'],
      minOccurrences: 5,
      updateIntervalMs: 1_800_000,
    });
  });

  it('read Data Center with a personal access token', () => {
    const sut = loadAppConfig({
      ...unique(),
      JIRA_BASE_URL: 'https://jira.example.com/jira',
      JIRA_API: 'datacenter',
      JIRA_PAT: 'personal-access-token',
      JIRA_PROJECT_KEY: 'OPS',
      JIRA_CREATE_FOR: 'none',
    }).jira;
    expect(sut).toMatchObject({
      api: 'datacenter',
      credentials: { kind: 'bearer', token: 'personal-access-token' },
      createFor: [],
    });
  });

  it.each([
    ['JIRA_EMAIL', { ...cloud, JIRA_EMAIL: '' }],
    ['JIRA_API_TOKEN', { ...cloud, JIRA_API_TOKEN: '' }],
    ['JIRA_PAT', { ...cloud, JIRA_API: 'datacenter' }],
    ['JIRA_PROJECT_KEY', { ...cloud, JIRA_PROJECT_KEY: 'ops' }],
  ])('require %s once Jira is on', (name, raw) => {
    expect(problemsOf(raw)).toContain(`${name}:`);
  });

  it.each([
    ['JIRA_BASE_URL', 'jira.example.com'],
    ['JIRA_API', 'server'],
    ['JIRA_CREATE_FOR', 'critical,urgent'],
    ['JIRA_MIN_OCCURRENCES', '0'],
    ['JIRA_UPDATE_INTERVAL', '10s'],
    ['JIRA_ALERT_URL_TEMPLATE', 'https://stacklens.example/ui/alerts/'],
    ['JIRA_TIMEOUT_MS', '50'],
    ['JIRA_OUTBOX_RETENTION', '12h'],
  ])('name %s when it is malformed', (name, value) => {
    expect(problemsOf({ [name]: value })).toContain(`${name}:`);
  });

  it('never echo a secret in a problem', () => {
    const message = problemsOf({ ...cloud, JIRA_PROJECT_KEY: 'bad key' });
    expect(message).not.toContain(cloud.JIRA_API_TOKEN);
  });
});
