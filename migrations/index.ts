import { CreateAlerts1764300000000 } from './1764300000000-create-alerts';
import { AlertGroups1764400000000 } from './1764400000000-alert-groups';
import { JiraOutbox1764500000000 } from './1764500000000-jira-outbox';
import { OccurrenceKeyTimeFirst1764600000000 } from './1764600000000-occurrence-key-time-first';

/** Every migration, oldest first. Listed, not globbed, so ts-node, jest and dist all see the same set. */
export const migrations = [
  CreateAlerts1764300000000,
  AlertGroups1764400000000,
  JiraOutbox1764500000000,
  OccurrenceKeyTimeFirst1764600000000,
];
