import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { OFFSET_COMMIT_SECONDS } from '../metrics/metric-names';

/**
 * Times the transport's OffsetCommit requests (Kafka Connect reports the same as
 * offset-commit-avg/max-time-ms). A batch's events wait for this request after their write, so
 * a slow broker shows here and not in the database write histogram.
 */
@Injectable()
export class CommitTimer {
  constructor(@InjectMetric(OFFSET_COMMIT_SECONDS) private readonly seconds: Histogram<string>) {}

  /** Runs `commit` and records how long it took, whether it resolved or threw; passes it on. */
  async time<T>(commit: () => Promise<T>): Promise<T> {
    const end = this.seconds.startTimer();
    try {
      const result = await commit();
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'failed' });
      throw err;
    }
  }
}
