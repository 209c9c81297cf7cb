import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Observable, tap } from 'rxjs';
import { AlertDto } from './dto/alert.dto';
import { etagOf } from './if-match';

/**
 * An alert's ETag is its version, the validator If-Match checks. It is not a cache validator:
 * counters change without a new version, so responses are `no-store` and nobody revalidates
 * (If-None-Match) an alert against it.
 */
@Injectable()
export class ApiResponseHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<ServerResponse>();
    response.setHeader('Cache-Control', 'no-store');
    return next.handle().pipe(
      tap((body) => {
        if (body instanceof AlertDto) response.setHeader('ETag', etagOf(body.version));
      }),
    );
  }
}
