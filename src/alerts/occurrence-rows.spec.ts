import { binaryCopy, byKey, OccurrenceRow, recordsetParameter } from './occurrence-rows';

const row = (overrides: Partial<OccurrenceRow> = {}): OccurrenceRow => ({
  eventId: 'a'.repeat(64),
  eventTime: Date.parse('2026-11-29T01:02:03.456Z'),
  alertId: '0123abcd-4567-89ef-0123-456789abcdef',
  topic: 'pos-logs',
  partition: 5,
  offset: '9007199254740993', // past 2^53: must not go through a double
  event: Buffer.from('{"message":"prix Ω"}', 'utf8'),
  ...overrides,
});

/** Reads COPY's binary format back: the header, then each tuple's fields as raw bytes. */
function readCopy(data: Buffer): Buffer[][] {
  expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(data.readInt32BE(11)).toBe(0); // flags
  expect(data.readInt32BE(15)).toBe(0); // header extension
  const tuples: Buffer[][] = [];
  let at = 19;
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    const tuple: Buffer[] = [];
    for (let f = 0; f < fields; f++) {
      const length = data.readInt32BE(at);
      tuple.push(data.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    tuples.push(tuple);
  }
  expect(at).toBe(data.length);
  return tuples;
}

describe('binaryCopy', () => {
  it('writes each column with its type binary form, in COPY_OCCURRENCES_SQL order', () => {
    const r = row();
    const [tuple, ...rest] = readCopy(binaryCopy([r]));
    expect(rest).toEqual([]);
    expect(tuple).toHaveLength(7);
    const [eventId, time, alertId, topic, partition, offset, event] = tuple;
    expect(eventId.toString('latin1')).toBe(r.eventId);
    // timestamptz: microseconds since 2000-01-01 UTC.
    expect(time.readBigInt64BE()).toBe(BigInt(r.eventTime - Date.UTC(2000, 0, 1)) * 1000n);
    expect(alertId.toString('hex')).toBe(r.alertId.replace(/-/g, ''));
    expect(topic.toString('utf8')).toBe('pos-logs');
    expect(partition.readInt32BE()).toBe(5);
    expect(offset.readBigInt64BE()).toBe(9007199254740993n);
    // jsonb: version 1, then the event's bytes as received.
    expect(event[0]).toBe(1);
    expect(event.subarray(1).equals(r.event)).toBe(true);
  });

  it('writes times before 2000 and rows of several topics and alerts', () => {
    const rows = [
      row({ eventTime: Date.parse('1999-12-31T23:59:59.999Z') }),
      row({ topic: 'pos-logs-eu', alertId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }),
    ];
    const tuples = readCopy(binaryCopy(rows));
    expect(tuples[0][1].readBigInt64BE()).toBe(-1000n);
    expect(tuples[1][3].toString()).toBe('pos-logs-eu');
    expect(tuples[1][2].toString('hex')).toBe('f'.repeat(32));
    expect(tuples[0][2].toString('hex')).toBe(rows[0].alertId.replace(/-/g, ''));
  });

  it('refuses a value that would shift every later field', () => {
    expect(() => binaryCopy([row({ eventId: 'abc' })])).toThrow(/event identity/);
    expect(() => binaryCopy([row({ alertId: 'not-a-uuid' })])).toThrow(/uuid/);
  });

  it('writes an empty batch as header and trailer only', () => {
    expect(readCopy(binaryCopy([]))).toEqual([]);
  });
});

describe('recordsetParameter', () => {
  it('is jsonb version 1 and a JSON array of rows embedding each event as received', () => {
    const r = row({ topic: 'pos-løgs' });
    const data = recordsetParameter([r, row({ eventId: 'b'.repeat(64) })]);
    expect(data[0]).toBe(1);
    const parsed = JSON.parse(data.subarray(1).toString('utf8'));
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toEqual({
      event_id: r.eventId,
      event_time: '2026-11-29T01:02:03.456Z',
      alert_id: r.alertId,
      source_topic: 'pos-løgs',
      source_partition: 5,
      source_offset: '9007199254740993',
      event: { message: 'prix Ω' },
    });
    // The topic went in as ASCII: every row head is as many bytes as characters.
    expect(data.toString('latin1')).toContain('"source_topic":"pos-l\\u00f8gs"');
  });
});

describe('byKey', () => {
  it('orders by time, then identity, as the primary key does', () => {
    const rows = [
      row({ eventId: 'b'.repeat(64), eventTime: 1 }),
      row({ eventId: 'a'.repeat(64), eventTime: 2 }),
      row({ eventId: 'a'.repeat(64), eventTime: 1 }),
    ];
    expect(rows.sort(byKey).map((r) => `${r.eventId[0]}${r.eventTime}`)).toEqual([
      'a1',
      'b1',
      'a2',
    ]);
  });
});
