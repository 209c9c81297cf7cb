import { logEvent } from '../../test/factories/log-event.factory';
import { boundedEvent, isTruncated } from './bounded-event';

describe(boundedEvent.name, () => {
  it('keeps an event that fits, without serialising it when its received size fits', () => {
    const event = logEvent();
    expect(boundedEvent(event, 64 * 1024, 500)).toBe(event);
    expect(boundedEvent(event, 64 * 1024)).toBe(event);
  });

  it('counts bytes, not characters', () => {
    const event = { ...logEvent(), message: 'é'.repeat(3000) }; // 6,000 bytes, 3,000 chars
    const stored = boundedEvent(event, 4096);
    expect(isTruncated(stored)).toBe(true);
    if (!isTruncated(stored)) return;
    expect(Buffer.byteLength(stored.preview)).toBeLessThanOrEqual(4096);
    expect(stored.original_bytes).toBe(Buffer.byteLength(JSON.stringify(event)));
  });

  it('never cuts inside a character (an emoji at the limit stays whole or out)', () => {
    const prefix = JSON.stringify({ message: '' }).length - 2; // bytes before the message text
    for (let shift = 0; shift < 4; shift++) {
      const event = { message: 'x'.repeat(1024 - prefix - shift) + '😀'.repeat(100) };
      const stored = boundedEvent(event, 1024);
      if (!isTruncated(stored)) throw new Error('expected truncation');
      expect(stored.preview).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
      expect(stored.preview).not.toContain('\uFFFD');
      expect(Buffer.byteLength(stored.preview)).toBeLessThanOrEqual(1024);
      expect(JSON.stringify(event).startsWith(stored.preview)).toBe(true);
    }
  });
});
