import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound URLs given by users (webhook targets) must not reach the server's own network:
 * loopback, private, link-local, unique-local, carrier-grade NAT, multicast, reserved and cloud
 * metadata addresses are refused, as are schemes other than http/https. `allowPrivate`
 * (WEBHOOK_ALLOW_PRIVATE) admits loopback/private/link-local/unique-local/CGNAT targets for
 * on-premises use; unspecified, multicast, broadcast and metadata addresses stay refused.
 *
 * Check a URL when it is registered with {@link checkOutboundUrl}, and send to it only with
 * {@link safePost}, which resolves the name once, checks every address and connects to the
 * checked address (no second lookup an attacker's DNS could answer differently).
 */
export interface OutboundPolicy {
  allowPrivate: boolean;
}

export class UnsafeUrlError extends Error {
  override readonly name = 'UnsafeUrlError';
}

const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);
const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);
const BLOCKED_NAMES = /(^|\.)(localhost|localdomain|internal|local|home\.arpa)$/i;

/** Null when the address may be contacted under the policy, else the reason it may not. */
export function addressRefusal(address: string, policy: OutboundPolicy): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const ip = ipaddr.process(address);
  const normal = ip.toNormalizedString();
  const canonical = ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toString() : normal;
  if (METADATA.has(normal) || METADATA.has(canonical)) return `${address} is a cloud metadata address`;
  const range = ip.range();
  if (range === 'unicast') return null;
  if (policy.allowPrivate && PRIVATE_RANGES.has(range)) return null;
  return PRIVATE_RANGES.has(range)
    ? `${address} is a ${range} address (set WEBHOOK_ALLOW_PRIVATE=true to allow private targets)`
    : `${address} is a ${range} address`;
}

/** The URL as parsed, after the checks that need no DNS: scheme, credentials, literal addresses. */
export function parseOutboundUrl(raw: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UnsafeUrlError(`scheme ${url.protocol} is not allowed (http or https only)`);
  if (url.username || url.password) throw new UnsafeUrlError('must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new UnsafeUrlError('has no host');
  if (isIP(host)) {
    const refusal = addressRefusal(host, policy);
    if (refusal) throw new UnsafeUrlError(refusal);
  } else if (!policy.allowPrivate && BLOCKED_NAMES.test(host.replace(/\.$/, ''))) {
    throw new UnsafeUrlError(`host ${host} is a local name`);
  }
  return url;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );
}

/** Every address of `host`, refused when any of them is not allowed (a mixed answer is hostile). */
export async function resolveOutboundHost(host: string, policy: OutboundPolicy): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolveAll(bare);
  if (!addresses.length) throw new UnsafeUrlError(`host ${bare} has no address`);
  for (const a of addresses) {
    const refusal = addressRefusal(a.address, policy);
    if (refusal) throw new UnsafeUrlError(`host ${bare} resolves to ${refusal}`);
  }
  return addresses;
}

/**
 * Registration-time check. A name that does not resolve now is accepted (the target may come up
 * later); it is checked again, after resolution, on every delivery.
 */
export async function checkOutboundUrl(raw: string, policy: OutboundPolicy): Promise<URL> {
  const url = parseOutboundUrl(raw, policy);
  try {
    await resolveOutboundHost(url.hostname, policy);
  } catch (e) {
    if (e instanceof UnsafeUrlError) throw e;
  }
  return url;
}

/** A `lookup` for http(s).request that only ever hands out checked addresses. */
export function safeLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveOutboundHost(hostname, policy).then(
      (addresses) => {
        const family = typeof options === 'object' ? options.family : undefined;
        const fitting = family ? addresses.filter((a) => a.family === family) : addresses;
        if (!fitting.length) {
          callback(
            Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        } else if (typeof options === 'object' && options.all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, fitting);
        } else {
          callback(null, fitting[0].address, fitting[0].family);
        }
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

export interface SafePostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: OutboundPolicy;
  /** Bytes of the answer read at most (the rest is discarded). */
  maxResponseBytes?: number;
}

/**
 * POSTs `body` to `raw` without following redirects, connecting only to addresses the policy
 * allows (checked after DNS resolution, on the connection actually used). Resolves with the
 * status; rejects with {@link UnsafeUrlError} for a refused target, or the network error.
 */
export async function safePost(raw: string, opts: SafePostOptions): Promise<{ status: number }> {
  const url = parseOutboundUrl(raw, opts.policy);
  const client = url.protocol === 'https:' ? https : http;
  const limit = opts.maxResponseBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...opts.headers, 'Content-Length': String(Buffer.byteLength(opts.body)) },
        lookup: safeLookup(opts.policy),
        agent: false,
        timeout: opts.timeoutMs,
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > limit) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', (e) => {
      if (e.name === 'AbortError') reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      else reject(e);
    });
    req.end(opts.body);
  });
}
