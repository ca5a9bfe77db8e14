import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { parseTrustedIssuers, TrustedIssuersError } from './trusted-issuers';

let dir: string;
let ecJwk: JWK;
let ecPrivateJwk: JWK;
let rsaJwk: JWK;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trusted-issuers-'));
  const ec = await generateKeyPair('ES384', { extractable: true });
  ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'sandbox-key', alg: 'ES384' };
  ecPrivateJwk = { ...(await exportJWK(ec.privateKey)), kid: 'sandbox-key' };
  const rsa = await generateKeyPair('RS384');
  rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'epic-key', use: 'sig' };
  writeFileSync(path.join(dir, 'epic.jwks.json'), JSON.stringify({ keys: [rsaJwk] }));
  writeFileSync(path.join(dir, 'broken.json'), '{ keys: ');
  writeFileSync(path.join(dir, 'private.json'), JSON.stringify({ keys: [ecPrivateJwk] }));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Parses and returns the problems; fails the test when the configuration is accepted.
 * @param config - JSON text, or a value to serialise
 */
function problemsOf(config: unknown): string[] {
  try {
    parseTrustedIssuers(typeof config === 'string' ? config : JSON.stringify(config), dir);
  } catch (err) {
    expect(err).toBeInstanceOf(TrustedIssuersError);
    return [...(err as TrustedIssuersError).problems];
  }
  throw new Error('the configuration was accepted');
}

describe('parseTrustedIssuers', () => {
  it('parses inline keys, a JWKS file, jku URLs, FHIR servers and tenants', () => {
    const issuers = parseTrustedIssuers(
      JSON.stringify([
        { iss: 'https://sandbox.cds-hooks.org', jwks: { keys: [ecJwk] }, fhirServers: ['https://fhir.example/r4/'] },
        { iss: 'https://epic.example/oauth', jwksFile: 'epic.jwks.json', tenants: ['hospital-a', 'hospital-a'] },
        { iss: 'https://cds-hooks.cerner.com', jku: ['https://authorization.cerner.com/jwk', 'http://127.0.0.1:9/k'] },
      ]),
      dir
    );
    expect(issuers).toEqual([
      { iss: 'https://sandbox.cds-hooks.org', jwks: { keys: [ecJwk] }, fhirServers: ['https://fhir.example/r4'] },
      {
        iss: 'https://epic.example/oauth',
        jwks: { keys: [rsaJwk] },
        jwksFile: path.join(dir, 'epic.jwks.json'),
        tenants: ['hospital-a'],
      },
      { iss: 'https://cds-hooks.cerner.com', jku: ['https://authorization.cerner.com/jwk', 'http://127.0.0.1:9/k'] },
    ]);
  });

  it('reads an absolute jwksFile path as it is', () => {
    const [issuer] = parseTrustedIssuers(
      JSON.stringify([{ iss: 'urn:ehr:epic', jwksFile: path.join(dir, 'epic.jwks.json') }]),
      '/nonexistent'
    );
    expect(issuer?.jwks).toEqual({ keys: [rsaJwk] });
  });

  it.each<[string, unknown, RegExp]>([
    ['text that is not JSON', '[{', /not valid JSON/],
    ['an empty list', [], /non-empty array/],
    ['an object instead of a list', { iss: 'x' }, /non-empty array/],
    ['a missing iss', [{ jku: ['https://a.example/jwks'] }], /^\[0\]\.iss: /],
    [
      'an iss with whitespace',
      [{ iss: ' https://a.example', jku: ['https://a.example/jwks'] }],
      /^\[0\]\.iss: .*whitespace/,
    ],
    ['no key source', [{ iss: 'https://a.example' }], /^\[0\]: needs a key source: jwks, jwksFile or jku$/],
    [
      'private key material in jwks',
      [{ iss: 'https://a.example', jwks: { keys: [{ kty: 'EC', kid: 'k', crv: 'P-384', x: 'x', y: 'y', d: 'd' }] } }],
      /^\[0\]\.jwks\.keys\[0\]\.d: private key material/,
    ],
    [
      'a symmetric key in jwks',
      [{ iss: 'https://a.example', jwks: { keys: [{ kty: 'oct', kid: 'k', k: 'c2VjcmV0' }] } }],
      /^\[0\]\.jwks\.keys\[0\]\.kty: /,
    ],
    [
      'a key without kid',
      [{ iss: 'https://a.example', jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: 'x', y: 'y' }] } }],
      /^\[0\]\.jwks\.keys\[0\]\.kid: every key needs a "kid"/,
    ],
    [
      'a key that is not a valid public key',
      [{ iss: 'https://a.example', jwks: { keys: [{ kty: 'EC', kid: 'k', crv: 'P-384', x: 'AA', y: 'AA' }] } }],
      /^\[0\]\.jwks\.keys\[0\]: not a valid public key/,
    ],
    ['an empty JWK Set', [{ iss: 'https://a.example', jwks: { keys: [] } }], /^\[0\]\.jwks\.keys: /],
    [
      'a jku over plain http',
      [{ iss: 'https://a.example', jku: ['http://a.example/jwks'] }],
      /^\[0\]\.jku\[0\]: must be an https URL/,
    ],
    ['a jku that is not a URL', [{ iss: 'https://a.example', jku: ['jwks.json'] }], /^\[0\]\.jku\[0\]: /],
    [
      'a jku with credentials',
      [{ iss: 'https://a.example', jku: ['https://user:pw@a.example/jwks'] }],
      /^\[0\]\.jku\[0\]: /,
    ],
    ['an empty jku list', [{ iss: 'https://a.example', jku: [] }], /^\[0\]\.jku: /],
    [
      'a FHIR server that is not http(s)',
      [{ iss: 'https://a.example', jku: ['https://a.example/k'], fhirServers: ['ftp://f'] }],
      /^\[0\]\.fhirServers\[0\]: /,
    ],
    [
      'an empty tenant list',
      [{ iss: 'https://a.example', jku: ['https://a.example/k'], tenants: [] }],
      /^\[0\]\.tenants: /,
    ],
    [
      'an unknown field (typo)',
      [{ iss: 'https://a.example', jku: ['https://a.example/k'], jwksfile: 'x' }],
      /^\[0\]: .*jwksfile/,
    ],
    [
      'a duplicate iss',
      [
        { iss: 'https://a.example', jku: ['https://a.example/k'] },
        { iss: 'https://a.example', jku: ['https://a.example/k'] },
      ],
      /^\[1\]\.iss: duplicate issuer "https:\/\/a\.example" \(also at \[0\]\)$/,
    ],
    [
      'an unreadable jwksFile',
      [{ iss: 'https://a.example', jwksFile: 'missing.json' }],
      /^\[0\]\.jwksFile: cannot read .*missing\.json \(ENOENT\)$/,
    ],
    [
      'a jwksFile that is not JSON',
      [{ iss: 'https://a.example', jwksFile: 'broken.json' }],
      /^\[0\]\.jwksFile: .*broken\.json is not valid JSON$/,
    ],
    [
      'a jwksFile with a private key',
      [{ iss: 'https://a.example', jwksFile: 'private.json' }],
      /^\[0\]\.jwksFile: .*private\.json\.keys\[0\]\.d: private key material/,
    ],
  ])('reports %s', (_name, config, expected) => {
    const problems = problemsOf(config);
    expect(problems.some((problem) => expected.test(problem))).toBe(true);
  });

  it('reports jwks and jwksFile given together', () => {
    expect(problemsOf([{ iss: 'https://a.example', jwks: { keys: [ecJwk] }, jwksFile: 'epic.jwks.json' }])).toEqual([
      '[0].jwksFile: give jwks or jwksFile, not both',
    ]);
  });

  it('lists the problems of every issuer at once', () => {
    const problems = problemsOf([
      { jku: ['https://a.example/k'] },
      { iss: 'https://b.example' },
      { iss: 'https://c.example', jku: ['http://c.example/k'] },
      { iss: 'https://d.example', jwksFile: 'missing.json' },
      { iss: 'https://d.example', jwks: { keys: [ecPrivateJwk] } },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^\[0\]\.iss: /),
      expect.stringMatching(/^\[1\]: needs a key source/),
      expect.stringMatching(/^\[2\]\.jku\[0\]: /),
      expect.stringMatching(/^\[3\]\.jwksFile: cannot read/),
      expect.stringMatching(/^\[4\]\.iss: duplicate issuer/),
      expect.stringMatching(/^\[4\]\.jwks\.keys\[0\]\.d: private key material/),
    ]);
  });

  it('names every problem in the error message', () => {
    expect(() => parseTrustedIssuers('[{"iss":"https://a.example"}]', dir)).toThrow(
      /^Invalid trusted issuers:\n {2}- \[0\]: needs a key source/
    );
  });
});
