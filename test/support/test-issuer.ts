import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** A trusted EHR for tests: its TRUSTED_ISSUERS entry and a signer of CDS client tokens (ES384, a fresh jti each). */
export interface TestIssuer {
  readonly iss: string;
  /** The TRUSTED_ISSUERS value that trusts this issuer. */
  readonly trustedIssuers: string;
  token(audience: string): Promise<string>;
}

export async function createTestIssuer(iss = 'https://ehr.example'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES384');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  return {
    iss,
    trustedIssuers: JSON.stringify([{ iss, jwks: { keys: [jwk] } }]),
    token: (audience) =>
      new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'k1' })
        .setIssuer(iss)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}
