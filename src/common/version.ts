import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package version, read once from package.json (works from src/ under jest and from dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** The repository root: rules/ and fhir-resources/ are resolved against it by default. */
export const PACKAGE_ROOT = path.join(__dirname, '..', '..');
