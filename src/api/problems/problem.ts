import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import {
  AlertLifecycleError,
  FingerprintAlreadyOpenError,
  IllegalTransitionError,
  StaleVersionError,
} from '../../alerts/alert-lifecycle.errors';
import { JiraAlreadyLinkedError, JiraDisabledError } from '../../alerts/jira-outbox';
import { RequestValidationException } from './request-validation.exception';

/** RFC 9457 problem details, plus members particular to a problem type. */
export interface Problem extends ProblemFields {
  /** The request path. */
  instance: string;
}

export interface ProblemFields {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** Problem type URIs are identifiers clients may switch on: never rename one. */
export const PROBLEM_TYPE_BASE = 'https://stacklens.dev/problems/';
const problemType = (slug: string) => `${PROBLEM_TYPE_BASE}${slug}`;

function lifecycleProblem(e: AlertLifecycleError): ProblemFields {
  const detail = e.message;
  if (e instanceof StaleVersionError) {
    return {
      type: problemType('stale-version'),
      title: 'The alert has changed since that version',
      status: HttpStatus.PRECONDITION_FAILED,
      detail,
      current_version: e.currentVersion,
    };
  }
  if (e instanceof IllegalTransitionError) {
    return {
      type: problemType('illegal-transition'),
      title: 'Not allowed in the current status of the alert',
      status: HttpStatus.CONFLICT,
      detail,
      current_status: e.currentStatus,
    };
  }
  if (e instanceof FingerprintAlreadyOpenError) {
    return {
      type: problemType('fingerprint-already-open'),
      title: 'Another alert for this problem is open',
      status: HttpStatus.CONFLICT,
      detail,
      open_alert_id: e.openAlertId,
    };
  }
  return {
    type: problemType('alert-not-found'),
    title: 'Alert not found',
    status: HttpStatus.NOT_FOUND,
    detail,
  };
}

/** Problem types for statuses Nest, Express or the guards produce. */
const BY_STATUS: Partial<Record<number, { slug: string; title: string; detail?: string }>> = {
  400: { slug: 'bad-request', title: 'Bad request' },
  401: { slug: 'unauthorized', title: 'Authentication required' },
  403: { slug: 'forbidden', title: 'Not allowed for this token' },
  404: { slug: 'not-found', title: 'Not found' },
  413: { slug: 'payload-too-large', title: 'Request body too large' },
  429: {
    slug: 'rate-limited',
    title: 'Too many requests',
    detail: 'The rate limit for this client was reached; retry after Retry-After seconds.',
  },
};

export const INTERNAL_PROBLEM: ProblemFields = {
  type: problemType('internal'),
  title: 'Internal server error',
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  detail: 'The request failed on the server; the error was logged.',
};

/**
 * The problem describing `exception`, or null for an error the client must not learn about
 * (anything unexpected, and every 5xx): those become INTERNAL_PROBLEM and get logged.
 */
export function problemFor(exception: unknown): ProblemFields | null {
  if (exception instanceof AlertLifecycleError) return lifecycleProblem(exception);
  if (exception instanceof JiraAlreadyLinkedError) {
    return {
      type: problemType('jira-already-linked'),
      title: 'The alert already has a Jira issue',
      status: HttpStatus.CONFLICT,
      detail: exception.message,
      jira_issue_key: exception.key,
    };
  }
  if (exception instanceof JiraDisabledError) {
    // A 5xx the client may learn about: the deployment, not the request, is missing something.
    return {
      type: problemType('jira-disabled'),
      title: 'Jira integration is off',
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: exception.message,
    };
  }
  if (exception instanceof RequestValidationException) {
    return {
      type: problemType('validation'),
      title: 'The request is invalid',
      status: HttpStatus.BAD_REQUEST,
      detail: exception.message,
      errors: exception.errors,
    };
  }
  const status = clientErrorStatus(exception);
  if (status === undefined) return null;
  const known = BY_STATUS[status];
  const message = (exception as Error).message;
  return {
    // about:blank: no semantics beyond the status code (RFC 9457, section 4.2.1).
    type: known ? problemType(known.slug) : 'about:blank',
    title: known?.title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail: known?.detail ?? message,
  };
}

/**
 * 4xx of a Nest HttpException, or of an http-errors error whose message is marked safe to show
 * (`expose`, e.g. body-parser's 413); undefined otherwise.
 */
function clientErrorStatus(exception: unknown): number | undefined {
  let status: unknown;
  if (exception instanceof HttpException) status = exception.getStatus();
  else if ((exception as { expose?: unknown } | null)?.expose === true) {
    status = (exception as { status?: unknown }).status;
  }
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
