import { BatchContext } from '../kafka/batch-context';
import { DecodedBatch } from './decoded-batch';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

describe(IngestController.name, () => {
  it('hands the decoded batch and the batch signal to IngestService, and resolves only after it', async () => {
    let finish!: () => void;
    const process = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const sut = new IngestController({ process } as unknown as IngestService);
    const batch = { topic: 't', partition: 3, valid: [], rejected: [] } as DecodedBatch;
    const signal = new AbortController().signal;
    let done = false;
    const handling = sut
      .handle(batch, new BatchContext(['t', 3, signal]))
      .then(() => (done = true));
    await Promise.resolve();
    expect(process).toHaveBeenCalledWith(batch, signal);
    expect(done).toBe(false);
    finish();
    await handling;
    expect(done).toBe(true);
  });
});
