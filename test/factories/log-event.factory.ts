import { randomUUID } from 'node:crypto';
import type { LogEvent } from '../../src/events/log-event.dto';

/** Error codes each detector matches, and some that no detector matches. */
export const ALERT_CODES = [
  'PRICE_MISSING',
  'DATABASE_ERROR',
  'DATABASE_TIMEOUT',
  'TIMEOUT',
  'INVALID_ORDER',
];
export const QUIET_CODES = [
  'CARD_DECLINED',
  'PRINTER_OFFLINE',
  'SCANNER_MISREAD',
  'DISCOUNT_EXPIRED',
];

const MESSAGES: Record<string, string> = {
  PRICE_MISSING: 'Product price is null',
  DATABASE_ERROR: 'Connection to inventory database refused',
  DATABASE_TIMEOUT: 'Inventory query exceeded 5000 ms',
  TIMEOUT: 'Payment gateway did not answer within 30 s',
  INVALID_ORDER: 'Order has no line items',
};

/** A realistic POS log event; override any field. Unique request_id each call. */
export function logEvent(overrides: Partial<LogEvent> = {}): LogEvent {
  const errorCode = overrides.error_code ?? 'PRICE_MISSING';
  const n = Math.floor(Math.random() * 1e6);
  return {
    request_id: `req-${randomUUID()}`,
    service: 'pos-demo',
    error_code: errorCode,
    message: MESSAGES[errorCode] ?? `POS reported ${errorCode}`,
    log_level: 'error',
    timestamp: new Date().toISOString(),
    user_id: `user-${n % 5000}`,
    session_id: `sess-${n}`,
    order_id: `order-${n}`,
    product_id: `prod-${n % 800}`,
    additional_context: {
      store_id: `store-${n % 120}`,
      terminal: `till-${n % 8}`,
      basket_items: n % 17,
    },
    source_ip: `10.${n % 250}.${(n >> 8) % 250}.${(n >> 16) % 250}`,
    endpoint: '/order',
    ...overrides,
  };
}

/** Wire form: what the ingest API publishes. */
export function encode(event: object): Buffer {
  return Buffer.from(JSON.stringify(event));
}
