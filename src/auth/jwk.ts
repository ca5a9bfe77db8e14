import { createPublicKey } from 'node:crypto';
import type { JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { z } from 'zod';

/**
 * The signature algorithms a CDS client may use (CDS Hooks 2.0 §"Trusting CDS Clients": ES384 and RS384
 * are recommended; `none` and every symmetric algorithm are forbidden). https://cds-hooks.hl7.org/2.0/#trusting-cds-clients
 */
export const ALLOWED_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;

export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export function isAllowedAlgorithm(value: unknown): value is AllowedAlgorithm {
  return typeof value === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(value);
}

/** The curve each ES algorithm signs with; jose only matches a key whose `crv` fits the token's `alg`. */
const CURVE_OF: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const EC_CURVES = ['P-256', 'P-384', 'P-521'];

/** jose refuses RS and PS keys below this size, so such a key could never verify anything. */
const MIN_RSA_BITS = 2048;

const privateMember = z.never({ error: 'private key material is not allowed; configure public keys only' }).optional();

/**
 * A public signing key as a JWK: EC (P-256/384/521) or RSA of at least 2048 bits, with a `kid` (tokens
 * must name their key, CDS Hooks S3), without private members and usable for signatures.
 */
export const publicJwkSchema = z
  .looseObject({
    kty: z.enum(['EC', 'RSA'], { error: 'kty must be "EC" or "RSA" (the key types of the accepted algorithms)' }),
    kid: z.string({ error: 'every key needs a "kid"' }).min(1, 'every key needs a "kid"'),
    alg: z.enum(ALLOWED_ALGORITHMS, { error: `alg must be one of ${ALLOWED_ALGORITHMS.join(', ')}` }).optional(),
    use: z.literal('sig', { error: 'use must be "sig"' }).optional(),
    key_ops: z.array(z.string()).optional(),
    d: privateMember,
    p: privateMember,
    q: privateMember,
    dp: privateMember,
    dq: privateMember,
    qi: privateMember,
    oth: privateMember,
    k: privateMember,
  })
  .superRefine((jwk, ctx) => {
    if (jwk.key_ops && !jwk.key_ops.includes('verify')) {
      ctx.addIssue({ code: 'custom', path: ['key_ops'], message: 'key_ops must include "verify"' });
    }
    if (jwk.alg) {
      const expectedKty = jwk.alg.startsWith('ES') ? 'EC' : 'RSA';
      if (jwk.kty !== expectedKty) {
        ctx.addIssue({ code: 'custom', path: ['alg'], message: `alg ${jwk.alg} needs a key with kty ${expectedKty}` });
      } else if (jwk.kty === 'EC' && jwk.crv !== CURVE_OF[jwk.alg]) {
        ctx.addIssue({ code: 'custom', path: ['crv'], message: `alg ${jwk.alg} needs crv ${CURVE_OF[jwk.alg] ?? ''}` });
      }
    }
    if (jwk.kty === 'EC' && !EC_CURVES.includes(String(jwk.crv))) {
      ctx.addIssue({ code: 'custom', path: ['crv'], message: `crv must be one of ${EC_CURVES.join(', ')}` });
      return;
    }
    try {
      const key = createPublicKey({ key: jwk as NodeJsonWebKey, format: 'jwk' });
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (jwk.kty === 'RSA' && (bits === undefined || bits < MIN_RSA_BITS)) {
        ctx.addIssue({ code: 'custom', message: `RSA keys must have at least ${MIN_RSA_BITS} bits` });
      }
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid public key' });
    }
  })
  .transform((jwk) => jwk as JWK);

/** A JWK Set as configured by an operator: every key must be a valid public signing key, kids unique. */
export const jwksSchema = z.strictObject({
  keys: z
    .array(publicJwkSchema)
    .min(1, 'a JWK Set needs at least one key')
    .superRefine((keys, ctx) => {
      const seen = new Set<string>();
      keys.forEach((key, index) => {
        if (key.kid !== undefined && seen.has(key.kid)) {
          ctx.addIssue({ code: 'custom', path: [index, 'kid'], message: `duplicate kid "${key.kid}"` });
        }
        seen.add(key.kid ?? '');
      });
    }),
});
