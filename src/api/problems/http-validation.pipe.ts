import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { requestValidationException } from './request-validation.exception';

const HTTP_PARAMETERS: ReadonlySet<string> = new Set(['body', 'query', 'param', 'custom']);

/**
 * The API's ValidationPipe: strips and refuses unknown fields, converts query strings to the
 * DTO's types, and names each refused field. It passes anything but HTTP parameters through:
 * when the Kafka microservice inherits the app's globals, its raw payload (a Buffer) and its
 * KafkaContext would otherwise be "validated" as the handler's declared classes and refused.
 */
export class HttpValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: requestValidationException,
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return HTTP_PARAMETERS.has(metadata.type)
      ? super.transform(value, metadata)
      : Promise.resolve(value);
  }
}
