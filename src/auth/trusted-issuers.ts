import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { toExpression } from '../common/expression';
import { jwksSchema } from './jwk';

/**
 * The CDS clients this service trusts (CDS Hooks 2.0 §"Trusting CDS Clients", S6: services SHOULD allowlist
 * `iss` and `jku`). Keys come inline, from a file read at start-up, or from allowlisted JWKS URLs.
 */
export interface TrustedIssuer {
  /** Exact issuer, e.g. `https://sandbox.cds-hooks.org`; compared as a string. */
  iss: string;
  /** Public keys exchanged out of band; filled in from `jwksFile` when that is used. */
  jwks?: JSONWebKeySet;
  /** Absolute path of the JWKS file the keys in `jwks` were read from. */
  jwksFile?: string;
  /** JWKS URLs the issuer may name in a token's `jku` header; compared as exact strings. */
  jku?: string[];
  /** FHIR base URLs this issuer's calls may use (no trailing slash). */
  fhirServers?: string[];
  /** When set, a token's `tenant` claim must be one of these. */
  tenants?: string[];
}

/** Thrown when the trusted-issuer configuration is invalid; lists every problem with its place. */
export class TrustedIssuersError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid trusted issuers:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'TrustedIssuersError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A JWKS URL: https, or http on the loopback interface only (local tests); no credentials, no fragment. */
const jkuUrl = z.string().superRefine((value, ctx) => {
  const url = isUrl(value);
  const allowed =
    url !== undefined &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) &&
    url.username === '' &&
    url.password === '' &&
    !value.includes('#');
  if (!allowed) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an https URL (http only for 127.0.0.1 or localhost), without credentials or fragment',
    });
  }
});

/** A FHIR base URL: absolute http(s), no query or fragment; trailing slashes are removed. */
const fhirServerUrl = z
  .string()
  .refine((value) => {
    const url = isUrl(value);
    return (
      url !== undefined &&
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      !value.includes('?') &&
      !value.includes('#')
    );
  }, 'must be an absolute http(s) URL without query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const nonBlank = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => value.trim() === value && !/\s/.test(value), 'must not contain whitespace');

const issuerSchema = z
  .strictObject({
    iss: nonBlank,
    jwks: jwksSchema.optional(),
    jwksFile: z.string().min(1, 'must not be empty').optional(),
    jku: z.array(jkuUrl).min(1, 'list at least one URL, or leave jku out').optional(),
    fhirServers: z.array(fhirServerUrl).min(1, 'list at least one URL, or leave fhirServers out').optional(),
    tenants: z.array(nonBlank).min(1, 'list at least one tenant, or leave tenants out to allow any').optional(),
  })
  .superRefine((issuer, ctx) => {
    if (issuer.jwks && issuer.jwksFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwksFile'], message: 'give jwks or jwksFile, not both' });
    }
    if (!issuer.jwks && issuer.jwksFile === undefined && !issuer.jku) {
      ctx.addIssue({ code: 'custom', message: 'needs a key source: jwks, jwksFile or jku' });
    }
  });

type ParsedIssuer = z.infer<typeof issuerSchema>;

/** Reads and validates one JWKS file; returns the keys or adds problems. */
function readJwksFile(file: string, where: string, problems: string[]): JSONWebKeySet | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    problems.push(`${where}: cannot read ${file} (${code})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push(`${where}: ${file} is not valid JSON`);
    return undefined;
  }
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${where}: ${toExpression([file, ...issue.path])}: ${issue.message}`);
    }
    return undefined;
  }
  return parsed.data;
}

function toTrustedIssuer(issuer: ParsedIssuer, jwks: JSONWebKeySet | undefined, jwksFile?: string): TrustedIssuer {
  return {
    iss: issuer.iss,
    ...(jwks ? { jwks } : {}),
    ...(jwksFile !== undefined ? { jwksFile } : {}),
    ...(issuer.jku ? { jku: [...new Set(issuer.jku)] } : {}),
    ...(issuer.fhirServers ? { fhirServers: [...new Set(issuer.fhirServers)] } : {}),
    ...(issuer.tenants ? { tenants: [...new Set(issuer.tenants)] } : {}),
  };
}

/**
 * Parses the trusted-issuer configuration: a JSON array of `{ iss, jwks | jwksFile | jku, fhirServers?,
 * tenants? }`. JWKS files are read and validated here, so the result carries every static key in `jwks`.
 * @param json - the configuration text (from an environment variable or a file)
 * @param baseDir - the folder relative `jwksFile` paths are resolved against
 * @throws TrustedIssuersError listing every problem as `[index].field: message`
 */
export function parseTrustedIssuers(json: string, baseDir: string): TrustedIssuer[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new TrustedIssuersError(['not valid JSON: expected an array of trusted issuers']);
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new TrustedIssuersError(['(root): expected a non-empty array of trusted issuers']);
  }

  // Each issuer is checked on its own so that one bad entry does not hide the problems of another.
  const problems: string[] = [];
  const firstIndexOf = new Map<string, number>();
  const issuers: TrustedIssuer[] = [];
  raw.forEach((entry: unknown, index) => {
    const iss = (entry as { iss?: unknown } | null)?.iss;
    if (typeof iss === 'string') {
      const previous = firstIndexOf.get(iss);
      if (previous !== undefined) {
        problems.push(`[${index}].iss: duplicate issuer "${iss}" (also at [${previous}])`);
      } else {
        firstIndexOf.set(iss, index);
      }
    }
    const parsed = issuerSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${toExpression([index, ...issue.path])}: ${issue.message}`);
      }
      return;
    }
    const issuer = parsed.data;
    if (issuer.jwksFile === undefined) {
      issuers.push(toTrustedIssuer(issuer, issuer.jwks));
      return;
    }
    const file = path.resolve(baseDir, issuer.jwksFile);
    const jwks = readJwksFile(file, `[${index}].jwksFile`, problems);
    issuers.push(toTrustedIssuer(issuer, jwks, file));
  });
  if (problems.length > 0) {
    throw new TrustedIssuersError(problems);
  }
  return issuers;
}
