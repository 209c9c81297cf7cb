/** What raw_log, last_event and an occurrence hold for an event larger than RAW_LOG_MAX_BYTES. */
export interface TruncatedEvent {
  truncated: true;
  original_bytes: number;
  /** The first RAW_LOG_MAX_BYTES bytes of the event's JSON, cut at a character boundary (no longer valid JSON). */
  preview: string;
}

/**
 * The event as stored: whole when it fits in maxBytes (of UTF-8), else a marked preview.
 * `receivedBytes` is the Kafka value's length: re-serialising never makes an event longer, so at
 * or under the limit the event is kept without serialising it again on the hot path.
 */
export function boundedEvent(
  event: object,
  maxBytes: number,
  receivedBytes?: number,
): object | TruncatedEvent {
  if (receivedBytes !== undefined && receivedBytes <= maxBytes) return event;
  const json = Buffer.from(JSON.stringify(event), 'utf8');
  if (json.length <= maxBytes) return event;
  return {
    truncated: true,
    original_bytes: json.length,
    preview: json.subarray(0, codePointBoundary(json, maxBytes)).toString('utf8'),
  };
}

/**
 * The largest cut <= `at` that does not split a UTF-8 sequence: cutting an emoji in half would
 * leave a lone surrogate, which Postgres refuses in jsonb (and so would refuse a valid event).
 */
function codePointBoundary(bytes: Buffer, at: number): number {
  let cut = at;
  // Continuation bytes are 10xxxxxx; back up to the lead byte and leave its sequence out.
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return cut;
}

export function isTruncated(value: object): value is TruncatedEvent {
  return (value as Partial<TruncatedEvent>).truncated === true && 'preview' in value;
}
