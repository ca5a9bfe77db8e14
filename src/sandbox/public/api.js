// @ts-check
// HTTP: the sandbox API, the CDS Hooks endpoints (signed when the service requires it) and the FHIR server.
// Every exchange is returned with what was sent, so the page can show the exact request and raw response.

/** @type {{ authRequired: boolean, signing: boolean, locale: 'en' | 'nl' }} */
let settings = { authRequired: false, signing: false, locale: 'en' };

/** @returns {Promise<{ authRequired: boolean, signing: boolean, locale: 'en' | 'nl' }>} */
export async function loadSettings() {
  const exchange = await send('GET', '/sandbox/api/settings');
  if (!exchange.ok) {
    throw new Error(describeFailure(exchange));
  }
  settings = exchange.body;
  return settings;
}

/** @returns {Promise<Array<{ id: string, name: string, gender?: string, birthDate?: string, summary?: string, orders?: Array<{ id: string, display?: string }> }>>} */
export async function loadPatients() {
  const exchange = await send('GET', '/sandbox/api/patients');
  if (!exchange.ok) {
    throw new Error(describeFailure(exchange));
  }
  return exchange.body.patients ?? [];
}

/**
 * One call to the CDS service: discovery, a hook or feedback. With signing, a fresh JWT whose `aud` is the exact
 * URL called (CDS Hooks 2.0 "Trusting CDS Clients": one token per call).
 * @param {'GET' | 'POST'} method
 * @param {string} path - below the origin, e.g. /cds-services/lbp-patient-view
 * @param {unknown} [body]
 * @param {string} [lang] - Accept-Language
 */
export async function cds(method, path, body, lang) {
  const headers = { Accept: 'application/json' };
  if (lang) {
    headers['Accept-Language'] = lang;
  }
  if (settings.signing) {
    const tokenExchange = await send('POST', '/sandbox/api/token', { aud: `${location.origin}${path}` });
    if (!tokenExchange.ok) {
      throw new Error(describeFailure(tokenExchange));
    }
    headers.Authorization = `Bearer ${tokenExchange.body.token}`;
  }
  return send(method, path, body, headers);
}

/**
 * One call to the embedded FHIR server.
 * @param {'GET' | 'POST' | 'PUT' | 'DELETE'} method
 * @param {string} path - relative to /fhir, e.g. CarePlan?subject=Patient/x
 * @param {unknown} [resource]
 */
export function fhir(method, path, resource) {
  const headers = { Accept: 'application/fhir+json' };
  if (resource !== undefined) {
    headers['Content-Type'] = 'application/fhir+json';
  }
  return send(method, `/fhir/${path.replace(/^\/+/, '')}`, resource, headers);
}

/**
 * @typedef {{ method: string, url: string, headers: Record<string, string>, requestBody?: unknown,
 *   status: number, statusText: string, ok: boolean, body: any, ms: number }} Exchange
 */

/** @returns {Promise<Exchange>} */
async function send(method, path, body, headers = { Accept: 'application/json' }) {
  const url = `${location.origin}${path}`;
  /** @type {RequestInit & { headers: Record<string, string> }} */
  const init = { method, headers: { ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new Error(`${method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await response.text();
  let parsed = text;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  } else {
    parsed = undefined;
  }
  return {
    method,
    url,
    headers: init.headers,
    ...(body === undefined ? {} : { requestBody: body }),
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    body: parsed,
    ms: Math.round(performance.now() - started),
  };
}

/** The headers as shown on the page: a bearer token is shortened, it is a credential. */
export function displayHeaders(headers) {
  const shown = { ...headers };
  if (typeof shown.Authorization === 'string') {
    shown.Authorization = `${shown.Authorization.slice(0, 20)}… (a JWT for this URL only)`;
  }
  return shown;
}

/** Readable text of a failed exchange: the OperationOutcome's issues when there is one. */
export function describeFailure(exchange) {
  const outcome = describeOutcome(exchange.body);
  return `${exchange.status} ${exchange.statusText}${outcome ? ` — ${outcome}` : ''}`.trim();
}

/** @param {unknown} body */
export function describeOutcome(body) {
  if (typeof body === 'string') {
    return body.slice(0, 300);
  }
  return outcomeIssues(body)
    .map(({ text, expression }) => `${text}${expression ? ` (${expression})` : ''}`)
    .join('; ');
}

/** The issues of an OperationOutcome as a list, for showing a service error readably. */
export function outcomeIssues(body) {
  if (body && typeof body === 'object' && body.resourceType === 'OperationOutcome' && Array.isArray(body.issue)) {
    return body.issue.map((issue) => ({
      severity: issue.severity ?? 'error',
      text: issue.diagnostics ?? issue.details?.text ?? issue.code ?? '',
      expression: Array.isArray(issue.expression) ? issue.expression.join(', ') : '',
    }));
  }
  return [];
}
