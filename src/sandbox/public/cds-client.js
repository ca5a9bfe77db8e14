// @ts-check
// The EHR side of CDS Hooks 2.0: discovery, prefetch from the FHIR server, the draft orders and the request body
// (https://cds-hooks.hl7.org/2.0/#calling-a-cds-service). Built the way the public CDS Hooks sandbox does it.

import { cds, describeFailure, fhir } from './api.js';

const SNOMED = 'http://snomed.info/sct';
export const USER_ID = 'Practitioner/sandbox-gp';

/** The GP's scenarios: which service and hook, and which draft order (if any). */
export const SCENARIOS = [
  { id: 'chart', labelKey: 'scenarioChart', service: 'lbp-patient-view', hook: 'patient-view' },
  {
    id: 'physio-select',
    labelKey: 'scenarioPhysioSelect',
    service: 'lbp-order-select',
    hook: 'order-select',
    order: 'physio',
  },
  {
    id: 'physio-sign',
    labelKey: 'scenarioPhysioSign',
    service: 'lbp-order-sign',
    hook: 'order-sign',
    order: 'physio',
  },
  { id: 'mri-select', labelKey: 'scenarioMriSelect', service: 'lbp-order-select', hook: 'order-select', order: 'mri' },
  { id: 'mri-sign', labelKey: 'scenarioMriSign', service: 'lbp-order-sign', hook: 'order-sign', order: 'mri' },
];

let discovery;

/** `GET /cds-services`, once per page load. */
export async function discover() {
  if (discovery === undefined) {
    const exchange = await cds('GET', '/cds-services');
    if (!exchange.ok || !Array.isArray(exchange.body?.services)) {
      throw new Error(`Discovery failed: ${describeFailure(exchange)}`);
    }
    discovery = exchange.body.services;
  }
  return discovery;
}

/** Recognises a patient's own draft order of a kind by its id and display. */
export function isOrderOfKind(order, kind) {
  const text = `${order.id} ${order.display ?? ''}`;
  return kind === 'mri' ? /\b(mri|lwk|ct|röntgen|x-ray|imaging)\b|lumbar-mri/i.test(text) : /physio|fysio/i.test(text);
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The draft order this page makes when the patient has none of that kind. */
function buildOrder(kind, patientId, id) {
  const base = {
    resourceType: 'ServiceRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    authoredOn: today(),
    requester: { reference: USER_ID },
    reasonCode: [{ coding: [{ system: SNOMED, code: '279039007', display: 'Low back pain' }], text: 'Low back pain' }],
  };
  if (kind === 'physio') {
    return {
      ...base,
      code: {
        coding: [{ system: SNOMED, code: '308447003', display: 'Referral to physiotherapist' }],
        text: 'Referral to physiotherapist',
      },
    };
  }
  return {
    ...base,
    code: {
      coding: [{ system: SNOMED, code: '433141005', display: 'MRI of lumbar and sacral spine' }],
      text: 'MRI LWK',
    },
    bodySite: [
      { coding: [{ system: SNOMED, code: '122496007', display: 'Lumbar spine structure' }], text: 'lumbar spine' },
    ],
  };
}

/**
 * The draft order for a scenario: the patient's own one when it has one (read from the FHIR server when it is
 * stored there), otherwise one built for this patient.
 * @returns {Promise<{ resource: any, own: boolean, stored: boolean }>}
 */
export async function draftOrder(kind, patient) {
  const own = (patient.orders ?? []).find((order) => isOrderOfKind(order, kind));
  if (own) {
    // A search, not a read: a draft that is not stored answers an empty Bundle instead of a 404.
    const exchange = await fhir('GET', `ServiceRequest?_id=${encodeURIComponent(own.id)}`);
    const stored = exchange.ok
      ? exchange.body?.entry?.find((entry) => entry.resource?.id === own.id)?.resource
      : undefined;
    if (stored) {
      return { resource: stored, own: true, stored: true };
    }
    return { resource: buildOrder(kind, patient.id, own.id), own: true, stored: false };
  }
  return { resource: buildOrder(kind, patient.id, `sandbox-${kind}-${patient.id}`), own: false, stored: false };
}

/** Fills `{{context.x}}` with the context's primitive values; undefined when a token stays unresolved. */
export function fillTemplate(template, context) {
  const filled = template.replace(/\{\{\s*context\.(\w+)\s*\}\}/g, (match, name) => {
    const value = context[name];
    return typeof value === 'string' || typeof value === 'number' ? encodeURIComponent(String(value)) : match;
  });
  return filled.includes('{{') ? undefined : filled;
}

/** A search with its next pages (same origin, at most 5 pages) merged into one searchset Bundle. */
async function readAll(query, exchanges) {
  const first = await fhir('GET', query);
  exchanges.push(first);
  if (!first.ok || first.body?.resourceType !== 'Bundle') {
    return first;
  }
  const bundle = first.body;
  let next = bundle.link?.find((link) => link.relation === 'next')?.url;
  for (let page = 1; next && page < 5; page += 1) {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin || !url.pathname.startsWith('/fhir/')) {
      break;
    }
    const more = await fhir('GET', `${url.pathname.slice('/fhir/'.length)}${url.search}`);
    exchanges.push(more);
    if (!more.ok || more.body?.resourceType !== 'Bundle') {
      break;
    }
    bundle.entry = [...(bundle.entry ?? []), ...(more.body.entry ?? [])];
    next = more.body.link?.find((link) => link.relation === 'next')?.url;
  }
  if (bundle.link) {
    bundle.link = bundle.link.filter((link) => link.relation !== 'next');
  }
  return first;
}

/**
 * Prefetch as an EHR does it: every template of the service, filled from the context and read from the FHIR
 * server. A failed read is left out (the service then fetches it itself from fhirServer).
 * @returns {Promise<{ prefetch: Record<string, unknown>, exchanges: import('./api.js').Exchange[] }>}
 */
export async function prefetchFor(templates, context) {
  const exchanges = [];
  const entries = await Promise.all(
    Object.entries(templates ?? {}).map(async ([key, template]) => {
      const query = fillTemplate(template, context);
      if (query === undefined) {
        return undefined;
      }
      const exchange = await readAll(query, exchanges);
      return exchange.ok && exchange.body && typeof exchange.body === 'object' ? [key, exchange.body] : undefined;
    })
  );
  const found = entries.filter((entry) => entry !== undefined);
  exchanges.sort((a, b) => a.url.localeCompare(b.url));
  return { prefetch: Object.fromEntries(found), exchanges };
}

/**
 * Everything for one scenario: discovery entry, context (with the draft order), prefetch and the request body.
 * @param {typeof SCENARIOS[number]} scenario
 */
export async function buildRequest(scenario, patient) {
  const services = await discover();
  const entry = services.find((service) => service.id === scenario.service && service.hook === scenario.hook);
  if (!entry) {
    throw new Error(`Discovery lists no service ${scenario.service} for ${scenario.hook}`);
  }
  const context = { userId: USER_ID, patientId: patient.id };
  let order;
  if (scenario.order) {
    order = await draftOrder(scenario.order, patient);
    const reference = `ServiceRequest/${order.resource.id}`;
    if (scenario.hook === 'order-select') {
      context.selections = [reference];
    }
    context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order.resource }] };
  }
  const { prefetch, exchanges } = await prefetchFor(entry.prefetch, context);
  const body = {
    hook: scenario.hook,
    hookInstance: crypto.randomUUID(),
    fhirServer: `${location.origin}/fhir`,
    context,
    ...(Object.keys(prefetch).length > 0 ? { prefetch } : {}),
  };
  return { entry, body, order, prefetchExchanges: exchanges };
}

/** `POST /cds-services/<id>` */
export function callService(serviceId, body, lang) {
  return cds('POST', `/cds-services/${encodeURIComponent(serviceId)}`, body, lang);
}

/** `POST /cds-services/<id>/feedback` with one feedback item. */
export function sendFeedback(serviceId, item, lang) {
  return cds('POST', `/cds-services/${encodeURIComponent(serviceId)}/feedback`, { feedback: [item] }, lang);
}
