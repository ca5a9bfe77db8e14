/**
 * One GET against the CDS client's FHIR server, bounded in time and size. The caller's FHIR server is
 * not under our control: it may hang, drip bytes, answer HTML, or send 50 MB; none of that may hold a
 * hook call longer than its budget or exhaust memory.
 */

export type FhirFetchFailure =
  | 'timeout' // this request took longer than its own timeout
  | 'budget' // the hook call's overall time budget ran out
  | 'http' // the server answered a non-2xx status
  | 'network' // connection refused, reset, DNS, redirect refused
  | 'too-large' // the body is larger than the configured maximum
  | 'invalid-json'; // the body is not a JSON object

export class FhirFetchError extends Error {
  constructor(
    readonly failure: FhirFetchFailure,
    message: string,
    readonly status?: number
  ) {
    super(message);
    this.name = 'FhirFetchError';
  }
}

export interface FhirFetchOptions {
  /** Sent as `Authorization: Bearer …` (fhirAuthorization.access_token); never logged. */
  readonly accessToken?: string;
  /** Aborted when the hook call's overall budget is spent. */
  readonly budget: AbortSignal;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

// A function, not a property read, because the signal changes between the checks.
const isAborted = (signal: AbortSignal): boolean => signal.aborted;

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new FhirFetchError('too-large', `response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  if (!response.body) {
    return '';
  }
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new FhirFetchError('too-large', `response exceeds the ${maxBytes}-byte limit`);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Fetches a FHIR JSON resource.
 * @param url - absolute URL on the client's FHIR server
 * @param options - token, budget signal, per-request timeout and size limit
 * @returns the parsed JSON object
 * @throws FhirFetchError saying why nothing usable came back
 */
export async function fetchFhirJson(url: URL, options: FhirFetchOptions): Promise<Record<string, unknown>> {
  if (isAborted(options.budget)) {
    throw new FhirFetchError('budget', 'the time budget for FHIR requests was spent');
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.budget, timeout]);
  const headers: Record<string, string> = { Accept: 'application/fhir+json, application/json;q=0.9' };
  if (options.accessToken) {
    headers.Authorization = `Bearer ${options.accessToken}`;
  }
  try {
    // Redirects are refused: following one could carry the access token to another host.
    const response = await fetch(url, { headers, signal, redirect: 'error' });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new FhirFetchError('http', `HTTP ${response.status}`, response.status);
    }
    const text = await readLimited(response, options.maxBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FhirFetchError('invalid-json', 'response is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new FhirFetchError('invalid-json', 'response is not a JSON object');
    }
    return json as Record<string, unknown>;
  } catch (err) {
    if (err instanceof FhirFetchError) {
      throw err;
    }
    if (isAborted(options.budget)) {
      throw new FhirFetchError('budget', 'the time budget for FHIR requests was spent');
    }
    if (timeout.aborted) {
      throw new FhirFetchError('timeout', `no complete answer within ${options.timeoutMs} ms`);
    }
    throw new FhirFetchError('network', 'the FHIR server could not be reached');
  }
}
