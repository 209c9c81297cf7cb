import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { INTERNAL_PROBLEM, Problem, problemFor } from './problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Every HTTP error as RFC 9457 problem details, including Nest's 404 for unknown paths. Never a
 * stack trace: an unexpected error is logged here and answered with a generic 500.
 *
 * Kafka handlers are not HTTP: their errors are rethrown untouched, because whether a batch is
 * committed or dead-lettered depends on the error reaching the transport as it was thrown.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<unknown>();
    const response = ctx.getResponse<unknown>();
    const path = String(httpAdapter.getRequestUrl(request)).split('?')[0];

    const ownBody = probeBody(exception, path);
    if (ownBody) {
      httpAdapter.reply(response, ownBody.body, ownBody.status);
      return;
    }

    let fields = problemFor(exception);
    if (!fields) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      // Method and path only: headers carry bearer tokens, query strings carry search text.
      this.logger.error(
        {
          msg: 'request failed',
          method: String(httpAdapter.getRequestMethod(request)),
          path,
          error: error.message,
        },
        error.stack,
      );
      fields = INTERNAL_PROBLEM;
    }
    const problem: Problem = { ...fields, instance: path };
    if (httpAdapter.isHeadersSent(response)) return;
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    // A string, so the adapter sends it as it is instead of re-typing it application/json.
    httpAdapter.reply(response, JSON.stringify(problem), problem.status);
  }
}

/**
 * Outside /api, an HttpException built with a body of its own (not Nest's {statusCode, message})
 * is that route's deliberate answer, e.g. terminus' 503 readiness report that orchestrators and
 * dashboards parse: it is sent unchanged.
 */
function probeBody(exception: unknown, path: string): { body: object; status: number } | null {
  if (path.startsWith('/api/') || !(exception instanceof HttpException)) return null;
  const body = exception.getResponse();
  if (typeof body !== 'object' || body === null || 'statusCode' in body) return null;
  return { body, status: exception.getStatus() };
}
