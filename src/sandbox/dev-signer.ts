import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { TrustedIssuer } from '../auth/trusted-issuers';

/**
 * The sandbox page's own client identity when CDS_AUTH is required in development: a key pair made at start-up,
 * trusted as one more issuer (with the embedded FHIR server as its only fhirServer), and never in production —
 * server.ts only creates it when NODE_ENV is development. The page asks the service to sign each call.
 */
export interface DevSigner {
  readonly issuer: TrustedIssuer;
  /** A 5-minute ES384 JWT for one call, with `aud` the exact URL the page will call. */
  sign(audience: string): Promise<string>;
}

export async function createDevSigner(publicBaseUrl: string): Promise<DevSigner> {
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const kid = `sandbox-dev-${randomUUID()}`;
  const iss = `${publicBaseUrl}/sandbox`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  return {
    issuer: { iss, jwks: { keys: [jwk] }, fhirServers: [`${publicBaseUrl}/fhir`] },
    sign: (audience) =>
      new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
        .setIssuer(iss)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}
