import { BaseRpcContext } from '@nestjs/microservices';

type BatchContextArgs = [topic: string, partition: number, signal: AbortSignal];

/**
 * What a handler may know about the batch besides its messages: where it is from, and a signal
 * that fires when the transport stops waiting for it (shutdown, or the pod giving up its
 * partitions), so long retries end promptly instead of holding the consumer.
 */
export class BatchContext extends BaseRpcContext<BatchContextArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  get signal(): AbortSignal {
    return this.args[2];
  }
}
