import { Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { KafkaConfig } from '../config/configuration';
import {
  DeadLetterProducer,
  DeadLetterSendError,
  OutboundRecord,
} from '../kafka/dead-letter.producer';
import { DeadLetter } from './dead-letter';
import { DeadLetterService, DLQ_HEADERS } from './dead-letter.service';
import { InvalidEventReason } from './invalid-event.error';

const config = { deadLetterTopic: 'pos-logs.dlq', groupId: 'g' } as KafkaConfig;
const counter = () => ({ inc: jest.fn() }) as unknown as Counter<string>;

function letter(value: Buffer, offset = '7'): DeadLetter {
  return {
    message: { offset, key: Buffer.from('k'), value, headers: { trace: 'abc' }, timestamp: '123' },
    ref: { topic: 'pos-logs', partition: 1, offset },
    reason: InvalidEventReason.INVALID_JSON,
    error: 'Unexpected token',
  };
}

describe(DeadLetterService.name, () => {
  const signal = new AbortController().signal;
  let sent: OutboundRecord[][];
  let parked: { inc: jest.Mock; dec: jest.Mock };
  beforeEach(() => {
    sent = [];
    parked = { inc: jest.fn(), dec: jest.fn() };
    for (const level of ['warn', 'error', 'log'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });
  afterEach(() => jest.restoreAllMocks());

  const sut = (send: (records: OutboundRecord[]) => Promise<void>) =>
    new DeadLetterService(
      config,
      { send: (_t: string, r: OutboundRecord[]) => (sent.push(r), send(r)) } as DeadLetterProducer,
      counter(),
      counter(),
      parked as unknown as Gauge<string>,
    );

  it('resolves only after the broker took the batch, with original key, value, headers and reasons', async () => {
    let acked = false;
    const publishing = sut(async () => {
      await Promise.resolve();
      acked = true;
    }).publish([letter(Buffer.from('{bad'))], signal);
    expect(acked).toBe(false);
    await publishing;
    expect(acked).toBe(true);
    expect(sent[0][0]).toMatchObject({
      key: Buffer.from('k'),
      value: Buffer.from('{bad'),
      headers: {
        trace: 'abc',
        [DLQ_HEADERS.reason]: 'INVALID_JSON',
        [DLQ_HEADERS.offset]: '7',
        [DLQ_HEADERS.partition]: '1',
        [DLQ_HEADERS.group]: 'g',
      },
    });
  });

  it('cuts a value too large for the dead-letter topic and says so in a header', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    await sut((records) =>
      (records[0].value as Buffer).length > 1024 * 1024
        ? Promise.reject(new DeadLetterSendError(true, new Error('MESSAGE_TOO_LARGE')))
        : Promise.resolve(),
    ).publish([letter(big)], signal);
    const delivered = sent[sent.length - 1][0];
    expect((delivered.value as Buffer).length).toBeLessThanOrEqual(1024 * 1024);
    expect(big.subarray(0, 16).equals((delivered.value as Buffer).subarray(0, 16))).toBe(true);
    expect(delivered.headers[DLQ_HEADERS.truncated]).toBe(String(big.length));
    expect(parked.inc).not.toHaveBeenCalled();
  });

  it('parks the partition while the topic refuses writes, and resumes when it takes them', async () => {
    let failures = 3;
    await sut(() =>
      failures-- > 0
        ? Promise.reject(new DeadLetterSendError(false, new Error('no topic')))
        : Promise.resolve(),
    ).publish([letter(Buffer.from('x'))], signal);
    expect(parked.inc).toHaveBeenCalledTimes(1);
    expect(parked.dec).toHaveBeenCalledTimes(1);
    expect(Logger.prototype.error).toHaveBeenCalledTimes(1); // one line per episode, not per retry
  }, 10_000);

  it('gives up waiting (rejects, nothing acknowledged) when the batch is abandoned', async () => {
    const abort = new AbortController();
    const publishing = sut(() =>
      Promise.reject(new DeadLetterSendError(false, new Error('down'))),
    ).publish([letter(Buffer.from('x'))], abort.signal);
    abort.abort();
    await expect(publishing).rejects.toBeDefined();
    expect(parked.dec).toHaveBeenCalled();
  });
});
