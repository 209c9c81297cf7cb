import { logEvent } from '../../test/factories/log-event.factory';
import { eventIdentity } from './event-identity';

describe(eventIdentity.name, () => {
  it('is the same for the same event whatever the key order', () => {
    const event = logEvent();
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    expect(eventIdentity(reordered)).toBe(eventIdentity(event));
    expect(eventIdentity(JSON.parse(JSON.stringify(event)) as object)).toBe(eventIdentity(event));
  });

  it('tells apart two events of one request in the same millisecond', () => {
    const a = logEvent({ request_id: 'req-1', timestamp: '2026-11-28T10:00:00.123Z' });
    const b = { ...a, message: 'a second, different error in the same request' };
    expect(eventIdentity(b)).not.toBe(eventIdentity(a));
  });

  it('lets event_id win over the content', () => {
    const a = { ...logEvent(), event_id: 'evt-1' };
    const b = { ...logEvent({ message: 'different' }), event_id: 'evt-1' };
    expect(eventIdentity(b)).toBe(eventIdentity(a));
    expect(eventIdentity({ ...a, event_id: 'evt-2' })).not.toBe(eventIdentity(a));
  });

  it('never confuses an event_id with content that looks like it', () => {
    expect(eventIdentity({ event_id: 'x' })).not.toBe(eventIdentity({ event_id: '' }));
    expect(eventIdentity({ event_id: '' })).toBe(eventIdentity({ event_id: '' }));
  });
});
