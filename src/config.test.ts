import { availableParallelism } from 'node:os';
import { ConfigError, parseConfig } from './config';

describe('parseConfig', () => {
  const ISSUERS = JSON.stringify([
    { iss: 'https://sandbox.cds-hooks.org', jku: ['https://sandbox.cds-hooks.org/.well-known/jwks.json'] },
  ]);

  it('comes up with no configuration at all', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 8080,
      publicBaseUrl: 'http://127.0.0.1:8080',
      logLevel: 'info',
      corsOrigins: '*',
      fhirTimeoutMs: 2000,
      fhirBudgetMs: 2500,
    });
    expect(config.rulesDir).toMatch(/rules$/);
  });

  it('closes CORS in production unless origins are configured', () => {
    expect(parseConfig({ NODE_ENV: 'production', TRUSTED_ISSUERS: ISSUERS }).corsOrigins).toEqual([]);
    expect(
      parseConfig({
        NODE_ENV: 'production',
        TRUSTED_ISSUERS: ISSUERS,
        CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      }).corsOrigins
    ).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('derives PUBLIC_BASE_URL from HOST and PORT, and strips a trailing slash from a given one', () => {
    expect(parseConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicBaseUrl).toBe('http://127.0.0.1:9000');
    expect(parseConfig({ PUBLIC_BASE_URL: 'https://cds.example.org/ruggensteun/' }).publicBaseUrl).toBe(
      'https://cds.example.org/ruggensteun'
    );
  });

  it('requires client authentication in production, and refuses to start without trusted issuers', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /CDS_AUTH: authentication is required but no TRUSTED_ISSUERS/
    );
    expect(parseConfig({ NODE_ENV: 'production', TRUSTED_ISSUERS: ISSUERS }).authRequired).toBe(true);
    expect(parseConfig({ NODE_ENV: 'development' }).authRequired).toBe(false);
    // The sandbox signs its own calls in development: no other issuer needed.
    expect(parseConfig({ NODE_ENV: 'development', CDS_AUTH: 'required' }).trustedIssuers).toEqual([]);
    expect(() => parseConfig({ NODE_ENV: 'development', CDS_AUTH: 'required', SANDBOX: 'off' })).toThrow(/CDS_AUTH/);
    expect(
      parseConfig({ NODE_ENV: 'production', TRUSTED_ISSUERS: ISSUERS }).trustedIssuers.map((issuer) => issuer.iss)
    ).toEqual(['https://sandbox.cds-hooks.org']);
    expect(() => parseConfig({ TRUSTED_ISSUERS: '[{"iss": "x"}]' })).toThrow(/TRUSTED_ISSUERS: /);
    expect(parseConfig({ NODE_ENV: 'development', CDS_AUTH: 'required', TRUSTED_ISSUERS: ISSUERS }).authRequired).toBe(
      true
    );
  });

  it('refuses CDS_AUTH=off in production, naming the variable', () => {
    expect(() => parseConfig({ NODE_ENV: 'production', CDS_AUTH: 'off' })).toThrow(/CDS_AUTH: "off" is refused/);
    expect(() => parseConfig({ NODE_ENV: 'production', CDS_AUTH: 'off', TRUSTED_ISSUERS: ISSUERS })).toThrow(
      ConfigError
    );
    expect(parseConfig({ NODE_ENV: 'development', CDS_AUTH: 'off' }).authRequired).toBe(false);
  });

  it('reads FHIR_SERVER_ALLOWLIST as base URLs and names a malformed entry', () => {
    expect(
      parseConfig({ FHIR_SERVER_ALLOWLIST: 'https://launch.smarthealthit.org/v/r4/fhir/, http://10.0.0.5:8080/fhir' })
        .fhirServerAllowlist
    ).toEqual(['https://launch.smarthealthit.org/v/r4/fhir', 'http://10.0.0.5:8080/fhir']);
    expect(parseConfig({}).fhirServerAllowlist).toEqual([]);
    expect(() => parseConfig({ FHIR_SERVER_ALLOWLIST: 'ftp://x.example, https://ok.example' })).toThrow(
      /FHIR_SERVER_ALLOWLIST: "ftp:\/\/x.example"/
    );
  });

  it('needs a patient-hash key with an external PostgreSQL', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' })).toThrow(/PATIENT_HASH_KEY/);
    expect(
      parseConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db', PATIENT_HASH_KEY: 'k'.repeat(44) }).databaseUrl
    ).toBe('postgres://u@127.0.0.1/db');
  });

  it('sizes the evaluation workers from the cores, shared over the processes, and validates both', () => {
    const cores = availableParallelism();
    expect(parseConfig({}).evaluationWorkers).toBe(cores);
    expect(parseConfig({ NODE_ENV: 'test' }).evaluationWorkers).toBe(0);
    expect(parseConfig({ EVALUATION_WORKERS: '0' }).evaluationWorkers).toBe(0);
    const pg = { DATABASE_URL: 'postgres://u:p@127.0.0.1/db', PATIENT_HASH_KEY: 'k'.repeat(32) };
    expect(parseConfig({ ...pg, CDS_PROCESSES: String(cores * 2) }).evaluationWorkers).toBe(1);
    expect(parseConfig({ ...pg, CDS_PROCESSES: '2' }).processes).toBe(2);
    expect(() => parseConfig({ EVALUATION_WORKERS: '-1' })).toThrow(/EVALUATION_WORKERS/);
    expect(() => parseConfig({ EVALUATION_WORKERS: 'many' })).toThrow(/EVALUATION_WORKERS/);
    expect(() => parseConfig({ CDS_PROCESSES: '0' })).toThrow(/CDS_PROCESSES/);
    // The embedded store serves one process.
    expect(() => parseConfig({ CDS_PROCESSES: '2' })).toThrow(
      /CDS_PROCESSES: more than one process needs DATABASE_URL/
    );
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8080, logLevel: 'info' });
  });

  it('lists every problem at once', () => {
    const env = {
      PORT: 'eighty',
      NODE_ENV: 'staging',
      PUBLIC_BASE_URL: 'ftp://x',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'sandbox.cds-hooks.org',
      FHIR_TIMEOUT_MS: '-1',
    };
    let error: unknown;
    try {
      parseConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of Object.keys(env)) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).message).toMatch(/^Invalid configuration:/);
  });
});
