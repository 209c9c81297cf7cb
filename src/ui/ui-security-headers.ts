import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Scripts and styles only from the console's own files: an event value that slipped into the
 * markup still could not run. uPlot sizes its elements through the CSSOM (element.style), which
 * style-src does not govern, so styles need no 'unsafe-inline' either.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers of every /ui response, the session's and the 404s' included. */
export function uiSecurityHeaders(
  _request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  next();
}
