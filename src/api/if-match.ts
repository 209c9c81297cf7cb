import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RequestValidationException } from './problems/request-validation.exception';

/** `"3"`, `W/"3"` (what clients echo from ETag) or a bare `3`; at most the int column's range. */
const VERSION = /^(?:(?:W\/)?"([1-9]\d{0,9})"|([1-9]\d{0,9}))$/;
const MAX_VERSION = 2 ** 31 - 1;

/**
 * The alert version an If-Match header names; undefined when absent or `*` (the alert exists,
 * whatever its version). A list of versions is refused: a change is decided on one version.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header.join(',') : header)?.trim();
  if (!value || value === '*') return undefined;
  const match = VERSION.exec(value);
  const version = match ? Number(match[1] ?? match[2]) : NaN;
  if (!(version <= MAX_VERSION)) {
    throw new RequestValidationException([
      { field: 'If-Match', message: 'If-Match must be one alert version, e.g. "3"' },
    ]);
  }
  return version;
}

/** The expected version for optimistic locking, from If-Match. */
export const ExpectedVersion = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): number | undefined =>
    parseIfMatch(ctx.switchToHttp().getRequest<IncomingMessage>().headers['if-match']),
);

/** The ETag a response carries for an alert at `version`; If-Match accepts it back. */
export const etagOf = (version: number): string => `"${version}"`;
