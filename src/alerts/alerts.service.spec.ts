import { Logger } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { AlertGroupsWriter, RecordResult } from './alert-groups.writer';
import { AlertsService } from './alerts.service';

const counter = () => ({ inc: jest.fn() }) as unknown as Counter<string> & { inc: jest.Mock };

describe(AlertsService.name, () => {
  afterEach(() => jest.restoreAllMocks());

  function build(result: RecordResult) {
    const metrics = {
      created: counter(),
      reopened: counter(),
      counted: counter(),
      duplicates: counter(),
      folded: counter(),
      writes: counter(),
    };
    const histogram = { startTimer: () => () => 0 } as unknown as Histogram<string>;
    const sut = new AlertsService(
      { write: () => Promise.resolve(result) } as unknown as AlertGroupsWriter,
      histogram,
      metrics.created,
      metrics.reopened,
      metrics.counted,
      metrics.duplicates,
      metrics.folded,
      metrics.writes,
    );
    return { sut, metrics };
  }

  it('meters new alerts by issue code and severity, occurrences and duplicates, and logs one line per batch', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const { sut, metrics } = build({
      counted: 5,
      duplicates: 2,
      opened: [{ id: 'a1', issueCode: 'PRICE_MISSING', severity: 'critical', fingerprint: 'f' }],
      reopened: [],
      folding: [],
      occurrenceWrite: 'copy',
    });
    await sut.record([]);
    expect(metrics.created.inc).toHaveBeenCalledWith({
      issue_code: 'PRICE_MISSING',
      severity: 'critical',
    });
    expect(metrics.counted.inc).toHaveBeenCalledWith(5);
    expect(metrics.duplicates.inc).toHaveBeenCalledWith(2);
    expect(metrics.writes.inc).toHaveBeenCalledWith({ method: 'copy' });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ opened: 1, alert_ids: ['a1'] }));
  });

  it('logs nothing at info for a batch of duplicates only (a redelivery)', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const { sut, metrics } = build({
      counted: 0,
      duplicates: 9,
      opened: [],
      reopened: [],
      folding: [],
      occurrenceWrite: 'copy',
    });
    await sut.record([]);
    expect(metrics.created.inc).not.toHaveBeenCalled();
    expect(metrics.duplicates.inc).toHaveBeenCalledWith(9);
    expect(log).not.toHaveBeenCalled();
  });

  it('reports a storm-guard trip once with the detector', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { sut, metrics } = build({
      counted: 1,
      duplicates: 0,
      opened: [],
      reopened: [],
      folding: ['timeout'],
      occurrenceWrite: 'copy',
    });
    await sut.record([]);
    expect(metrics.folded.inc).toHaveBeenCalledWith({ detector: 'timeout' });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ detector: 'timeout' }));
  });
});
