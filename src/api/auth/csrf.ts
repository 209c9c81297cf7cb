import { ForbiddenException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../problems/problem-details.filter';
import { PROBLEM_TYPE_BASE, type Problem } from '../problems/problem';

export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Whether a request may change state, and so needs the CSRF token when a cookie authenticates it. */
export const changesState = (method: string | undefined): boolean =>
  !SAFE_METHODS.includes((method ?? 'GET').toUpperCase());

/**
 * Answers 403 problem+json of type `csrf` and throws. The answer is written here because its
 * type is particular to cookie sessions (the problem filter maps every other 403 to `forbidden`);
 * the filter then finds the response sent and leaves it as it is.
 */
export function refuseWithoutCsrfToken(request: IncomingMessage, response: ServerResponse): never {
  const detail =
    'A change made with the console session cookie needs the X-CSRF-Token header ' +
    'that POST or GET /ui/session returned.';
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}csrf`,
    title: 'Missing or wrong CSRF token',
    status: 403,
    detail,
    instance: ((request as { originalUrl?: string }).originalUrl ?? request.url ?? '/').split(
      '?',
    )[0],
  };
  if (!response.headersSent) {
    response.statusCode = 403;
    response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(problem));
  }
  throw new ForbiddenException(detail);
}
