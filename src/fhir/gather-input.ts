/** What a gathering is given: the client's data and FHIR server, and the limits it keeps to. */

export interface GatherInput {
  /** The prefetched values by template key; `null` means the client has no data for the key. */
  readonly prefetch?: Readonly<Record<string, Record<string, unknown> | null>>;
  /** The FHIR server to fetch what was not prefetched from (CDS Hooks `fhirServer`), if any. */
  readonly fhirServer?: string;
  /** Sent as the bearer token to fhirServer (CDS Hooks `fhirAuthorization.access_token`); never logged. */
  readonly accessToken?: string;
  /** The values templates are filled from (`{{context.patientId}}`…); `patientId` names whose record it is. */
  readonly context: Readonly<Record<string, unknown>> & { readonly patientId: string };
}

export interface GatherSettings {
  readonly timeoutMs: number;
  readonly budgetMs: number;
  readonly maxPages: number;
  readonly maxResponseBytes: number;
  /**
   * When set, only a fhirServer it accepts is contacted (with authentication on: the FHIR servers configured
   * for the calling issuer), so the service cannot be made to send requests, or the token, anywhere else.
   */
  readonly allowFhirServer?: (fhirServer: URL) => boolean;
  /** The address a URL is fetched at: the embedded FHIR server's public URLs go to its own thread directly. */
  readonly route?: (url: URL) => URL;
}
