import { createECDH, createHmac } from 'node:crypto';

const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * Keys for the OAuth server derived from the one server secret (JWT_SECRET or the generated one),
 * so every instance has the same cookie keys and the same signing key without extra settings.
 */
export function deriveOAuthKeys(secret: string): {
  cookieKeys: string[];
  signingJwk: Record<string, string>;
} {
  const hmac = (label: string) => createHmac('sha256', secret).update(label).digest();
  let d = hmac('context-desk oauth signing key');
  for (let i = 1; BigInt('0x' + d.toString('hex')) >= P256_ORDER || d.every((b) => b === 0); i++) {
    d = hmac(`context-desk oauth signing key ${i}`);
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 || x || y
  return {
    cookieKeys: [hmac('context-desk oauth cookies').toString('base64url')],
    signingJwk: {
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: hmac('context-desk oauth kid').toString('base64url').slice(0, 16),
      d: d.toString('base64url'),
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    },
  };
}
