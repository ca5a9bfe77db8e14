import fc from 'fast-check';
import { fhirServerPolicy } from './fhir-server-allowlist';

describe('fhirServerPolicy without authentication (development)', () => {
  const allow = fhirServerPolicy({
    authRequired: false,
    issuers: [],
    allowlist: ['https://launch.smarthealthit.org/v/r4/fhir'],
    embeddedBaseUrl: 'https://cds.example.org/fhir',
  })(undefined);
  const allowed = (url: string) => allow(new URL(url));

  it('allows loopback in its spellings, the embedded server and the configured base URLs', () => {
    for (const url of [
      'http://127.0.0.1:8080/fhir/',
      'http://localhost/fhir/',
      'http://[::1]:9000/',
      'http://2130706433/fhir/',
      'http://127.1/fhir/',
      'https://cds.example.org/fhir/',
      'https://launch.smarthealthit.org/v/r4/fhir/',
    ]) {
      expect([url, allowed(url)]).toEqual([url, true]);
    }
  });

  it('refuses link-local, private and public addresses that were not listed, and look-alike prefixes', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/fhir/',
      'http://192.168.1.10/',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'https://launch.smarthealthit.org/v/r4/fhirx/',
      'https://launch.smarthealthit.org.evil.example/v/r4/fhir/',
      'https://cds.example.org/fhir-other/',
      'http://localhost.evil.example/',
    ]) {
      expect([url, allowed(url)]).toEqual([url, false]);
    }
  });

  it('refuses every address outside 127/8 that was not listed (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.webPath(), (ip, path) => {
        const url = new URL(`http://${ip}${path}/`);
        expect(allow(url)).toBe(ip.startsWith('127.'));
      })
    );
  });
});

describe('fhirServerPolicy with authentication', () => {
  const policy = fhirServerPolicy({
    authRequired: true,
    issuers: [{ iss: 'https://ehr.example', fhirServers: ['https://fhir.ehr.example/r4'] }] as never,
    allowlist: ['http://127.0.0.1:1/'],
  });

  it("allows only the calling issuer's FHIR servers, not loopback or the development allowlist", () => {
    const client = { iss: 'https://ehr.example' } as never;
    expect(policy(client)(new URL('https://fhir.ehr.example/r4/'))).toBe(true);
    expect(policy(client)(new URL('http://127.0.0.1:1/'))).toBe(false);
    expect(policy({ iss: 'https://other.example' } as never)(new URL('https://fhir.ehr.example/r4/'))).toBe(false);
    expect(policy(undefined)(new URL('https://fhir.ehr.example/r4/'))).toBe(false);
  });
});
