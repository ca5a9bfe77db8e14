import type { VerifiedClient } from './jwt-verifier';
import type { TrustedIssuer } from './trusted-issuers';

/**
 * Which `fhirServer` a hook call may make this service contact, with the caller's access token. With
 * authentication: only the FHIR servers configured for the calling issuer. Without it (development only; the
 * configuration refuses it in production): loopback, the embedded sandbox server and FHIR_SERVER_ALLOWLIST, so
 * the service cannot be used to probe private or link-local addresses.
 */
export type FhirServerPolicy = (client: VerifiedClient | undefined) => (fhirServer: URL) => boolean;

export interface FhirServerPolicyOptions {
  readonly authRequired: boolean;
  readonly issuers: readonly TrustedIssuer[];
  /** Base URLs allowed without authentication (FHIR_SERVER_ALLOWLIST). */
  readonly allowlist: readonly string[];
  /** The embedded sandbox FHIR server's base URL, when it runs. */
  readonly embeddedBaseUrl?: string;
}

/** The WHATWG URL parser has already turned 2130706433, 0x7f.1 and 127.1 into dotted 127.0.0.1 form. */
function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/** Base URLs compared with a trailing slash, so https://a.example/fhir does not allow https://a.example/fhirx. */
function withSlash(url: string): string {
  return `${url.replace(/\/+$/, '')}/`;
}

const under = (bases: readonly string[]) => (fhirServer: URL) => bases.some((base) => fhirServer.href.startsWith(base));

/** @param options - the authentication mode, the issuers' servers and the development allowlist */
export function fhirServerPolicy(options: FhirServerPolicyOptions): FhirServerPolicy {
  if (options.authRequired) {
    const byIssuer = new Map(
      options.issuers.map((issuer) => [issuer.iss, under((issuer.fhirServers ?? []).map(withSlash))])
    );
    return (client) => byIssuer.get(client?.iss ?? '') ?? (() => false);
  }
  const listed = under(
    [...options.allowlist, ...(options.embeddedBaseUrl ? [options.embeddedBaseUrl] : [])].map(withSlash)
  );
  const open = (fhirServer: URL) => isLoopback(fhirServer) || listed(fhirServer);
  return () => open;
}
