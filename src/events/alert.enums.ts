export enum AlertSeverity {
  CRITICAL = 'critical',
  WARNING = 'warning',
  INFO = 'info',
}

export enum AlertStatus {
  OPEN = 'open',
  ACKNOWLEDGED = 'acknowledged',
  RESOLVED = 'resolved',
}

/** Why an alert was resolved: by a person, by the quiet-period sweep, or from its Jira ticket. */
export enum ResolutionReason {
  MANUAL = 'manual',
  QUIET = 'quiet',
  JIRA = 'jira',
}

/** What an activity row records; the API shows them as the alert's history. */
export enum ActivityAction {
  OPENED = 'opened',
  ACKNOWLEDGED = 'acknowledged',
  RESOLVED = 'resolved',
  REOPENED = 'reopened',
  JIRA_LINKED = 'jira_linked',
  JIRA_UNLINKED = 'jira_unlinked',
}

/** The actor recorded for changes the service makes by itself. */
export const SYSTEM_ACTOR = 'system';
