/**
 * The patient record as the rules see it: its types (types.ts) and how it is read from the gathered FHIR data
 * (normalise.ts, with one reader per resource kind).
 */
export * from './types';
export { normaliseRecord } from './normalise';
export type { NormaliseInput } from './normalise';
