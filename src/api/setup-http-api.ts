import { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AlertsApiModule } from './alerts-api.module';
import { HttpValidationPipe } from './problems/http-validation.pipe';
import { ProblemDetailsFilter } from './problems/problem-details.filter';

/**
 * What the HTTP API needs on the app object rather than in a module: problem+json for every
 * HTTP error (the probes' 404s too), DTO validation, and the OpenAPI document at /api/docs-json
 * with its UI at /api/docs. Call it before app.listen().
 */
export function setupHttpApi(app: INestApplication): void {
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(new HttpValidationPipe());
  const config = new DocumentBuilder()
    .setTitle('StackLens alerts API')
    .setDescription(
      'Alerts grouped from POS error logs, and their lifecycle. Errors are application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  // A factory, built on the first request and then kept: scanning every DTO cost ~90 ms of CPU
  // at each start, before the consumer could join its group.
  const document = () => SwaggerModule.createDocument(app, config, { include: [AlertsApiModule] });
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
