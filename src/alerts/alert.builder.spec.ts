import { logEvent } from '../../test/factories/log-event.factory';
import { LogEvent } from '../ingest/log-event.dto';
import { AlertSeverity, AlertStatus } from './alert.enums';
import { buildAlert, eventKey } from './alert.builder';

const ref = { topic: 'pos-logs', partition: 3, offset: '1234' };
const candidate = {
  issueCode: 'PRICE_MISSING',
  severity: AlertSeverity.CRITICAL,
  suggestedFix: 'Check product pricing configuration',
  confidence: 1,
};

describe(buildAlert.name, () => {
  it('maps the event and the matching rule to an open alert', () => {
    const event = Object.assign(new LogEvent(), logEvent({ timestamp: '2025-11-18T19:00:00Z' }));
    const sut = buildAlert(event, candidate, ref);
    expect(sut).toMatchObject({
      issueCode: 'PRICE_MISSING',
      severity: 'critical',
      suggestedFix: 'Check product pricing configuration',
      confidence: 1,
      rawLog: { ...event },
      status: AlertStatus.OPEN,
      jiraIssueKey: null,
      metadata: {
        request_id: event.request_id,
        service: event.service,
        log_level: event.log_level,
      },
      occurredAt: new Date('2025-11-18T19:00:00Z'),
      sourceTopic: 'pos-logs',
      sourcePartition: 3,
      sourceOffset: '1234',
      resolvedAt: null,
      eventKey: eventKey(event),
    });
    expect(sut.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
  });
});

describe(eventKey.name, () => {
  const event = logEvent({ timestamp: '2025-11-18T19:00:00Z' });

  it('is the same for a republished copy, wherever Kafka put it', () => {
    expect(eventKey({ ...event })).toBe(eventKey(event));
    expect(eventKey({ ...event, timestamp: '2025-11-18T20:00:00+01:00' })).toBe(eventKey(event));
  });

  it.each(['service', 'request_id', 'error_code'] as const)('changes with %s', (field) => {
    expect(eventKey({ ...event, [field]: 'other' })).not.toBe(eventKey(event));
  });

  it('changes with the time of the event', () => {
    expect(eventKey({ ...event, timestamp: '2025-11-18T19:00:01Z' })).not.toBe(eventKey(event));
  });
});

describe('raw_log size cap', () => {
  it('keeps an event at the cap as received', () => {
    const event = Object.assign(new LogEvent(), logEvent());
    const size = JSON.stringify(event).length;
    const alert = buildAlert(event, candidate, ref, { maxBytes: size });
    expect(alert.rawLog).toBe(event);
    expect(alert.metadata).not.toHaveProperty('raw_log_truncated');
  });

  it('trusts the received size when it is under the cap', () => {
    const event = Object.assign(new LogEvent(), logEvent());
    const stringify = jest.spyOn(JSON, 'stringify');
    const alert = buildAlert(event, candidate, ref, { maxBytes: 4096, receivedBytes: 600 });
    expect(alert.rawLog).toBe(event);
    expect(stringify).not.toHaveBeenCalled();
    stringify.mockRestore();
  });

  it('measures the event when the received message was over the cap (it may have been padded)', () => {
    const event = Object.assign(new LogEvent(), logEvent());
    const alert = buildAlert(event, candidate, ref, { maxBytes: 4096, receivedBytes: 9000 });
    expect(alert.rawLog).toBe(event);
  });

  it('stores a truncated preview of a larger event and says so', () => {
    const event = Object.assign(new LogEvent(), logEvent({ message: 'm'.repeat(5000) }));
    const alert = buildAlert(event, candidate, ref, { maxBytes: 1024, receivedBytes: 6000 });
    expect(alert.rawLog).toEqual({
      truncated: true,
      original_bytes: Buffer.byteLength(JSON.stringify(event)),
      preview: JSON.stringify(event).slice(0, 1024),
    });
    expect(alert.metadata.raw_log_truncated).toBe(true);
    expect(alert.metadata.request_id).toBe(event.request_id);
  });
});
