import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Response headers for every route (helmet): a Content-Security-Policy that allows no inline or
 * foreign script (the admin and Swagger UI load only their own script files), `frame-ancestors
 * 'none'`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and helmet's other
 * defaults. Inline styles stay allowed (Swagger UI's page and React style props use them).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'https:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}
