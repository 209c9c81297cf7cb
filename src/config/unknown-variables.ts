import { closest, distance } from 'fastest-levenshtein';
import { knownVariables } from './environment';

/** Prefixes of this service's settings. */
const PREFIXES = ['KAFKA_', 'DATABASE_', 'HTTP_', 'ALERT_', 'JIRA_', 'API_', 'PROCESSING_', 'UI_'];

/** Farther than this, the closest known name is a guess, not a typo. */
const MAX_SUGGESTION_DISTANCE = 3;

/**
 * Variables that carry a prefix of ours but belong to something else: the proxy setting many
 * HTTP clients honour, and the links Kubernetes injects for a Service (a Service named "kafka"
 * yields KAFKA_SERVICE_HOST, KAFKA_PORT=tcp://..., KAFKA_PORT_9092_TCP_ADDR, ...).
 */
function belongsToSomethingElse(name: string, value: string): boolean {
  return (
    name === 'HTTP_PROXY' ||
    /_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$/.test(name) ||
    /_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/.test(name) ||
    (/_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value))
  );
}

export interface UnknownVariableWarning {
  variable: string;
  /** The known setting the name was probably meant to be. */
  suggestion?: string;
}

/**
 * Variables named like ours that no setting reads: usually a typo (KAFKA_BROKER) that would
 * otherwise silently leave a default in place. A warning, not an error: it never throws.
 */
export function unknownVariableWarnings(
  raw: Record<string, string | undefined>,
): UnknownVariableWarning[] {
  const known = knownVariables();
  return Object.entries(raw)
    .filter(
      ([name, value]) =>
        value !== undefined &&
        PREFIXES.some((prefix) => name.startsWith(prefix)) &&
        !known.includes(name) &&
        !belongsToSomethingElse(name, value),
    )
    .map(([variable]) => {
      const suggestion = suggest(variable, known);
      return suggestion ? { variable, suggestion } : { variable };
    })
    .sort((a, b) => a.variable.localeCompare(b.variable));
}

/** Only names with the same prefix: JIRA_TOKENS is not a typo of API_TOKENS. */
function suggest(name: string, known: readonly string[]): string | undefined {
  const prefix = PREFIXES.find((p) => name.startsWith(p))!;
  const candidates = known.filter((k) => k.startsWith(prefix));
  if (candidates.length === 0) return undefined;
  const best = closest(name, candidates);
  return distance(name, best) <= MAX_SUGGESTION_DISTANCE ? best : undefined;
}
