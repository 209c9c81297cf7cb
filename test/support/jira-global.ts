import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './infra';
import { connectJiraDouble, JiraAdmin, startJiraDouble, stopProcessGroup } from './jira-double';

/** Where specs find the run's Jira double (base URL for the service's Jira settings). */
export const JIRA_URL_ENV = 'STACKLENS_TEST_JIRA_URL';
const JIRA_PID_ENV = 'STACKLENS_TEST_JIRA_PID';
const runLog = () => join(ROOT, '.cache/jira', `test-run-${process.pid}.log`);

/**
 * Starts one Jira double for the run, unless the URL is already set: the integration and fault
 * projects share one setup, and a developer may point it at `scripts/jira-double.sh start`.
 */
export async function startJiraForRun(): Promise<void> {
  if (process.env[JIRA_URL_ENV]) return;
  const jira = await startJiraDouble({ logFile: runLog() });
  process.env[JIRA_URL_ENV] = jira.url;
  process.env[JIRA_PID_ENV] = String(jira.pid);
}

/** Stops the double only if this run started it. */
export async function stopJiraForRun(): Promise<void> {
  const pid = Number(process.env[JIRA_PID_ENV]);
  if (!pid) return;
  await stopProcessGroup(pid);
  // Kept when the run fails before teardown, for the post-mortem.
  rmSync(runLog(), { force: true });
  delete process.env[JIRA_PID_ENV];
  delete process.env[JIRA_URL_ENV];
}

/** The run's double; specs sharing it call `reset()` in beforeEach and run in band. */
export function jiraForRun(): JiraAdmin {
  const url = process.env[JIRA_URL_ENV];
  if (!url)
    throw new Error(`${JIRA_URL_ENV} is unset: run integration tests through jest's global setup`);
  return connectJiraDouble(url);
}
