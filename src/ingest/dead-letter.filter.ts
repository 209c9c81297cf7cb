import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { from, map, Observable } from 'rxjs';
import { DeadLetterService } from './dead-letter.service';
import { InvalidEventError } from './invalid-event.error';

/**
 * Turns a permanent failure into a dead letter and a normal return, so kafkajs moves on instead
 * of retrying the message forever. Anything else is left to Nest's default filter, which
 * rethrows: the batch is not committed and is fetched again.
 */
@Catch(InvalidEventError)
export class DeadLetterFilter implements RpcExceptionFilter<InvalidEventError> {
  constructor(private readonly deadLetters: DeadLetterService) {}

  catch(error: InvalidEventError, host: ArgumentsHost): Observable<null> {
    const ctx = host.switchToRpc().getContext<KafkaContext>();
    // Returning a value (not EMPTY, not undefined) is what tells Nest the error was handled.
    return from(this.deadLetters.publish(ctx, error)).pipe(map(() => null));
  }
}
