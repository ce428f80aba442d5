import { checkOutboundUrl, safePost, type OutboundPolicy } from '@app/core';

/**
 * Where webhook targets are checked and contacted: the one place for the outbound-URL policy
 * (SSRF guard of `@app/core`: loopback/private/metadata targets refused unless
 * WEBHOOK_ALLOW_PRIVATE, contract 7a). Checked at registration, and again on every delivery
 * after DNS resolution, on the connection actually used.
 */
export interface TargetResponse {
  status: number;
}

/** Registration-time check of a target URL; rejects with the reason the API reports on `url`. */
export async function checkTargetUrl(url: string, policy: OutboundPolicy): Promise<void> {
  await checkOutboundUrl(url, policy);
}

/** One delivery POST (no redirects followed); rejects on a refused target, a network error or the timeout. */
export function postToTarget(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: OutboundPolicy,
): Promise<TargetResponse> {
  return safePost(url, { headers, body, timeoutMs, policy });
}
