import type { Patient, Resource } from '@medplum/fhirtypes';

/**
 * The clinical layer's input: the patient record as gathering (fhir/gather.ts) obtained it, per prefetch key, with
 * every gap as a DataProblem. It lives here so that clinical/ needs nothing from outside itself.
 */

export type DataProblemReason =
  | 'client-error' // the client sent an OperationOutcome for this prefetch key and no fallback was possible
  | 'not-available' // not prefetched and no usable fhirServer
  | 'fetch-failed' // the FHIR server answered an error, invalid JSON, too much data, or could not be reached
  | 'timeout' // the FHIR server did not answer within the per-request timeout or the overall budget
  | 'unreadable' // data arrived but (some of) it is not a usable FHIR resource
  | 'truncated' // more search pages exist than were read
  | 'incomplete' // the server said its answer is partial (RW-06): an outcome entry, or fewer entries than `total`
  | 'wrong-patient'; // data about another patient was sent and ignored

export interface DataProblem {
  /** The prefetch key, e.g. `conditions`. */
  readonly key: string;
  readonly resourceType: string;
  readonly reason: DataProblemReason;
  /** What happened, without patient data or tokens (for logs and the 412 OperationOutcome). */
  readonly detail: string;
  /** The numbers behind the detail, so the card can say them in the GP's language. */
  readonly figures?: DataFigures;
}

/** What a search counted and sent, how many pages were read, how many entries were skipped. */
export interface DataFigures {
  readonly counted?: number;
  readonly sent?: number;
  readonly pages?: number;
  readonly entries?: number;
}

export interface GatheredData {
  readonly resources: readonly Resource[];
  readonly source: 'prefetch' | 'fhir';
  /** False when part of the data could not be read (see the problems of this key). */
  readonly complete: boolean;
}

export interface GatheredRecord {
  readonly patient: Patient;
  /** Per prefetch key; a key whose data could not be obtained at all is absent. */
  readonly data: Readonly<Partial<Record<string, GatheredData>>>;
  readonly problems: readonly DataProblem[];
}
