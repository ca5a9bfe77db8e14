import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * Every error leaves the service as a FHIR OperationOutcome with the right HTTP status, never as HTML
 * and never with a stack trace (CDS Hooks 3.0 ballot: non-2xx responses SHOULD carry an OperationOutcome).
 */

type IssueType = OperationOutcomeIssue['code'];

/** An OperationOutcome together with the HTTP status it must be sent with. */
export class HttpError extends OperationOutcomeError {
  constructor(
    readonly status: number,
    outcome: OperationOutcome,
    readonly headers: Readonly<Record<string, string>> = {}
  ) {
    super(outcome);
    this.name = 'HttpError';
  }
}

/** One issue of an OperationOutcome; `expression` names the offending field (e.g. `context.patientId`). */
export interface Problem {
  readonly message: string;
  readonly expression?: string;
}

/**
 * Builds an OperationOutcome with one error issue per problem.
 * @param code - the FHIR issue type
 * @param problems - what is wrong, and where
 */
export function outcome(code: IssueType, problems: readonly Problem[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map((problem) => ({
      severity: 'error',
      code,
      details: { text: problem.message },
      ...(problem.expression ? { expression: [problem.expression] } : {}),
    })),
  };
}

export const badRequest = (problems: readonly Problem[]): HttpError => new HttpError(400, outcome('invalid', problems));

export const notFound = (message: string): HttpError => new HttpError(404, outcome('not-found', [{ message }]));

export const methodNotAllowed = (allowed: readonly string[]): HttpError =>
  new HttpError(405, outcome('not-supported', [{ message: `Method not allowed; use ${allowed.join(', ')}` }]), {
    Allow: allowed.join(', '),
  });

export const preconditionFailed = (message: string, expression?: string): HttpError =>
  new HttpError(412, outcome('not-found', [{ message, ...(expression ? { expression } : {}) }]));

export const payloadTooLarge = (limitBytes: number): HttpError =>
  new HttpError(413, outcome('too-costly', [{ message: `Request body is larger than ${limitBytes} bytes` }]));

export const unsupportedMediaType = (message: string): HttpError =>
  new HttpError(415, outcome('not-supported', [{ message }]));

export const notImplemented = (message: string): HttpError =>
  new HttpError(501, outcome('not-supported', [{ message }]));

export const serviceUnavailable = (message: string): HttpError =>
  new HttpError(503, outcome('transient', [{ message }]), { 'Retry-After': '1' });
