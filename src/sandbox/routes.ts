import path from 'node:path';
import express, { Router } from 'express';
import { badRequest, notFound } from '../common/http-error';
import { PACKAGE_ROOT } from '../common/version';
import type { DevSigner } from './dev-signer';
import type { EmbeddedFhirServer } from './fhir-server';

/** markdown-it's browser build (UMD, defines `window.markdownit`), found next to the package's entry. */
const MARKDOWN_IT = path.join(path.dirname(require.resolve('markdown-it')), 'browser', 'markdown-it.umd.min.js');

/** The page, its script and styles (plain files, no build step). */
export const PUBLIC_DIR = path.join(PACKAGE_ROOT, 'src', 'sandbox', 'public');

/**
 * The sandbox page needs what the JSON API forbids (its own scripts, styles and calls to this origin), and
 * nothing more: no inline script, no other origin, no framing.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The part of the configuration the page needs. */
export interface SandboxPageSettings {
  /** Where the page's calls go (`${publicBaseUrl}/cds-services`). */
  readonly publicBaseUrl: string;
  readonly authRequired: boolean;
  readonly locale: 'nl' | 'fr' | 'en';
}

export interface SandboxDeps {
  readonly config: SandboxPageSettings;
  readonly fhir: EmbeddedFhirServer;
  /** Present when CDS_AUTH is required in development: the page's calls are signed with it. */
  readonly signer?: DevSigner;
}

/**
 * `/sandbox`: the integrator's playground. The page plays the EHR (GP view) and the physiotherapist's system;
 * it talks to this service's CDS endpoints and the embedded FHIR server at `/fhir` like any client would.
 */
export function sandboxRoutes(deps: SandboxDeps): Router {
  const router = Router();
  const servicesBase = `${deps.config.publicBaseUrl}/cds-services`;

  router.use('/sandbox', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', PAGE_POLICY);
    next();
  });
  router.get('/sandbox/vendor/markdown-it.min.js', (_req, res) => {
    res.type('text/javascript').sendFile(MARKDOWN_IT);
  });
  router.get('/sandbox/api/patients', (_req, res) => {
    res.json({ patients: deps.fhir.patients });
  });
  router.get('/sandbox/api/settings', (_req, res) => {
    res.json({
      authRequired: deps.config.authRequired,
      signing: deps.signer !== undefined,
      locale: deps.config.locale,
    });
  });
  router.post('/sandbox/api/token', express.json({ limit: 4096 }), async (req, res) => {
    if (deps.signer === undefined) {
      throw notFound('Call signing is only available when CDS_AUTH is required in development');
    }
    const audience = (req.body as { aud?: unknown } | undefined)?.aud;
    // Only tokens for this service's own CDS endpoints: the key must not become a general-purpose signer.
    if (typeof audience !== 'string' || !(audience === servicesBase || audience.startsWith(`${servicesBase}/`))) {
      throw badRequest([{ expression: 'aud', message: `aud must be ${servicesBase} or below it` }]);
    }
    res.json({ token: await deps.signer.sign(audience) });
  });
  router.use('/sandbox', express.static(PUBLIC_DIR, { index: 'index.html', fallthrough: true }));
  return router;
}
