import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { addressRefusal, parseOutboundUrl, resolveOutboundHost, safePost, UnsafeUrlError } from './safe-url';

const urls = JSON.parse(
  readFileSync(join(__dirname, '../../../../test/fixtures/security/ssrf-urls.json'), 'utf8'),
) as Record<'refused' | 'allowedWhenPrivate' | 'alwaysRefused' | 'public', string[]>;
const strict = { allowPrivate: false };
const onPrem = { allowPrivate: true };

describe('outbound URL policy (webhook SSRF)', () => {
  it.each(urls.refused)('refuses %s by default', (u) => {
    expect(() => parseOutboundUrl(u, strict)).toThrow(UnsafeUrlError);
  });

  it.each(urls.allowedWhenPrivate)('allows %s with WEBHOOK_ALLOW_PRIVATE', (u) => {
    expect(parseOutboundUrl(u, onPrem).href).toBe(new URL(u).href);
  });

  it.each(urls.alwaysRefused)('refuses %s even with WEBHOOK_ALLOW_PRIVATE', (u) => {
    expect(() => parseOutboundUrl(u, onPrem)).toThrow(UnsafeUrlError);
  });

  it.each(urls.public)('allows the public target %s', (u) => {
    expect(parseOutboundUrl(u, strict).href).toBe(new URL(u).href);
  });

  it('classifies resolved addresses, including IPv4-mapped IPv6', () => {
    expect(addressRefusal('8.8.8.8', strict)).toBeNull();
    expect(addressRefusal('::ffff:10.0.0.1', strict)).toMatch(/private/);
    expect(addressRefusal('::ffff:10.0.0.1', onPrem)).toBeNull();
    expect(addressRefusal('169.254.169.254', onPrem)).toMatch(/metadata/);
  });

  it('checks the addresses a name resolves to', async () => {
    await expect(resolveOutboundHost('localhost', strict)).rejects.toThrow(/resolves to .*loopback/);
    await expect(resolveOutboundHost('localhost', onPrem)).resolves.not.toHaveLength(0);
  });

  describe('safePost', () => {
    let server: Server;
    let hits = 0;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits++;
        req.resume();
        req.on('end', () => res.writeHead(302, { Location: 'http://169.254.169.254/' }).end('x'.repeat(1e6)));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    const post = (url: string, policy: { allowPrivate: boolean }) =>
      safePost(url, { headers: {}, body: '{}', timeoutMs: 5000, policy });

    it('never connects to a refused address, by literal or by name', async () => {
      await expect(post(`http://127.0.0.1:${port}/`, strict)).rejects.toThrow(UnsafeUrlError);
      await expect(post(`http://localhost:${port}/`, strict)).rejects.toThrow(UnsafeUrlError);
      expect(hits).toBe(0);
    });

    it('delivers to an allowed address, does not follow redirects, bounds the answer read', async () => {
      await expect(post(`http://localhost:${port}/`, onPrem)).resolves.toEqual({ status: 302 });
      expect(hits).toBe(1);
    });
  });
});
