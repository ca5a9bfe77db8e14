import express from 'express';
import type { RequestHandler } from 'express';
import { unsupportedMediaType } from '../common/http-error';

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json+fhir'];

/**
 * Parses a JSON body (CDS Hooks requests are JSON; FHIR media types are accepted too) and answers 415 for
 * any other Content-Type, so a form post or a missing header gets a clear error instead of an empty body.
 * @param limitBytes - larger bodies are refused with 413
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const given = req.headers['content-type'];
    const mediaType = given?.split(';')[0]?.trim().toLowerCase();
    if (mediaType === undefined || !JSON_TYPES.includes(mediaType)) {
      throw unsupportedMediaType(
        given
          ? `Content-Type "${given}" is not supported; send application/json`
          : 'Content-Type must be application/json'
      );
    }
    next();
  };
  return [requireJson, express.json({ limit: limitBytes, type: JSON_TYPES, strict: false })];
}
