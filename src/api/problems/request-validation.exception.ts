import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

export interface FieldError {
  /** Dotted path into the query or body (e.g. `key`, `status.1`), or a header name. */
  field: string;
  message: string;
}

/** A 400 that names every field it refuses; the problem filter lists them as `errors`. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/** ValidationPipe's exceptionFactory: one entry per broken rule, nested properties as paths. */
export function requestValidationException(errors: ValidationError[]): RequestValidationException {
  return new RequestValidationException(fieldErrors(errors));
}

function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}
