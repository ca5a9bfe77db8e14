import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Express } from 'express';
import request from 'supertest';
import { CLINICAL_PREFETCH } from '../../src/hook/catalogue';
import type { CdsCard } from '../../src/render/cds-response';
import { sendJson } from '../support/test-fhir-server';
import type { TestFhirServer } from '../support/test-fhir-server';
import type { Expectation, RealWorldRecord } from './record';

/**
 * Runs a corpus record through the service as an EHR would send it, in both data modes: everything prefetched, or
 * nothing prefetched and every search answered by a FHIR server on 127.0.0.1 (with the record's own search Bundles,
 * incomplete ones included). Then checks the answer against the record's expectation.
 */

export type Hook = 'patient-view' | 'order-sign';
export type Mode = 'prefetch' | 'fhir';
export interface CdsResponse {
  readonly cards: CdsCard[];
}

const SERVICE: Record<Hook, string> = {
  'patient-view': '/cds-services/lbp-patient-view',
  'order-sign': '/cds-services/lbp-order-sign',
};

const patientOf = (record: RealWorldRecord): Resource => record.resources[0]!;
const patientIdOf = (record: RealWorldRecord): string => patientOf(record).id ?? '';

/** The search Bundle for one resource type: the record's own when it has one, else a complete searchset. */
export function searchFor(record: RealWorldRecord, resourceType: string): Bundle {
  const own = record.searches?.[resourceType];
  if (own) {
    return own;
  }
  const matches = record.resources.filter((resource) => resource.resourceType === resourceType);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    ...(matches.length > 0
      ? { entry: matches.map((resource) => ({ resource, search: { mode: 'match' as const } })) }
      : {}),
  };
}

function prefetchOf(record: RealWorldRecord): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(CLINICAL_PREFETCH).map(([key, template]) => [
      key,
      template.kind === 'read' ? patientOf(record) : searchFor(record, template.resourceType),
    ])
  );
}

/** Lets the FHIR server answer for this record: the Patient read and one search per resource type. */
export function serveRecord(fhir: TestFhirServer, record: RealWorldRecord): void {
  fhir.reset();
  fhir.use((_req, res, url) => {
    const [, base, type, id] = url.pathname.split('/');
    if (base === 'fhir' && type === 'Patient' && id === patientIdOf(record)) {
      sendJson(res, 200, patientOf(record));
    } else if (base === 'fhir' && type !== undefined && id === undefined) {
      sendJson(res, 200, searchFor(record, type));
    } else {
      sendJson(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    }
  });
}

export function hookBody(record: RealWorldRecord, hook: Hook, mode: Mode, fhirBase: string): Record<string, unknown> {
  const patientId = patientIdOf(record);
  const order = hook === 'order-sign' && record.order ? record.order : undefined;
  return {
    hook,
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/gp-1',
      patientId,
      ...(order ? { draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } } : {}),
    },
    ...(mode === 'prefetch'
      ? { prefetch: prefetchOf(record) }
      : {
          fhirServer: fhirBase,
          fhirAuthorization: {
            access_token: 'real-world-corpus-token',
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'patient/*.read',
            subject: 'cds',
          },
        }),
  };
}

/** Posts the record on a hook in one mode and returns the CDS response. */
export async function callService(
  app: Express,
  fhir: TestFhirServer,
  record: RealWorldRecord,
  hook: Hook,
  mode: Mode
): Promise<{ status: number; body: CdsResponse }> {
  if (mode === 'fhir') {
    serveRecord(fhir, record);
  }
  const res = await request(app)
    .post(SERVICE[hook])
    .send(hookBody(record, hook, mode, fhir.baseUrl));
  if (mode === 'fhir' && res.status === 200 && fhir.requests.length < Object.keys(CLINICAL_PREFETCH).length) {
    // Every template must have been fetched, or the two modes would be compared on nothing.
    throw new Error(`${record.id}: only ${fhir.requests.length} FHIR requests in FHIR-server mode`);
  }
  return { status: res.status, body: res.body as CdsResponse };
}

/** The hooks a record is sent on. */
export function hooksOf(record: RealWorldRecord): Hook[] {
  return [
    ...(record.orderHooksOnly ? [] : (['patient-view'] as const)),
    ...(record.order ? (['order-sign'] as const) : []),
  ];
}

export const ruleIdsOf = (card: CdsCard): string[] =>
  ((card.extension?.['org.ruggensteun.findings'] ?? []) as { ruleId: string }[]).map((finding) => finding.ruleId);

const matchesRule = (pattern: string, ruleId: string) =>
  pattern.endsWith('*') ? ruleId.startsWith(pattern.slice(0, -1)) : ruleId === pattern;

function onCard(response: CdsResponse, indicator: CdsCard['indicator'], pattern: string): boolean {
  return response.cards.some(
    (card) => card.indicator === indicator && ruleIdsOf(card).some((ruleId) => matchesRule(pattern, ruleId))
  );
}

/** Whether any suggestion of any card carries an exercise CarePlan. */
export function suggestsCarePlan(response: CdsResponse): boolean {
  const holdsCarePlan = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(holdsCarePlan)
      : typeof value === 'object' && value !== null
        ? (value as { resourceType?: unknown }).resourceType === 'CarePlan' || Object.values(value).some(holdsCarePlan)
        : false;
  return response.cards.some((card) => holdsCarePlan(card.suggestions));
}

/** What is wrong with a response against an expectation (empty when it holds). */
export function unmet(expectation: Expectation, response: CdsResponse): string[] {
  const problems: string[] = [];
  for (const ruleId of expectation.critical ?? []) {
    if (!onCard(response, 'critical', ruleId)) {
      problems.push(`no critical card with ${ruleId}`);
    }
  }
  for (const ruleId of expectation.warning ?? []) {
    if (!onCard(response, 'warning', ruleId)) {
      problems.push(`no warning card with ${ruleId}`);
    }
  }
  for (const ruleId of expectation.anyCard ?? []) {
    if (!response.cards.some((card) => ruleIdsOf(card).some((found) => matchesRule(ruleId, found)))) {
      problems.push(`no card with ${ruleId}`);
    }
  }
  for (const ruleId of expectation.absent ?? []) {
    if (response.cards.some((card) => ruleIdsOf(card).some((found) => matchesRule(ruleId, found)))) {
      problems.push(`${ruleId} present`);
    }
  }
  if (expectation.noCritical && response.cards.some((card) => card.indicator === 'critical')) {
    const critical = response.cards.filter((card) => card.indicator === 'critical').flatMap(ruleIdsOf);
    problems.push(`false critical card (${critical.join(', ')})`);
  }
  if (expectation.noCarePlan && suggestsCarePlan(response)) {
    problems.push('a CarePlan is suggested');
  }
  // The data-quality card, whatever its indicator (a warning when the gap could hide a red flag). The GP reads
  // the kind of data in words ("Diagnoses"); the resource type it stands for is in the card's audit extension.
  const info = response.cards
    .filter((card) => ruleIdsOf(card).includes('DQ-01'))
    .map((card) => `${card.summary}\n${card.detail ?? ''}\n${resourceTypesOf(card).join(' ')}`)
    .join('\n');
  for (const word of expectation.dataQuality ?? []) {
    if (!info.includes(word)) {
      problems.push(`the data-quality card does not name ${word}`);
    }
  }
  return problems;
}

/** The resource types a card's data-quality evidence names (extension `org.ruggensteun.findings`). */
function resourceTypesOf(card: CdsCard): string[] {
  const findings = (card.extension?.['org.ruggensteun.findings'] ?? []) as {
    evidence?: { data?: { resourceType?: string } }[];
  }[];
  return findings.flatMap((finding) => (finding.evidence ?? []).map((item) => item.data?.resourceType ?? ''));
}

/** The cards without what legitimately differs per call (uuids and ids), to compare the two data modes. */
export function comparable(response: CdsResponse): unknown {
  // The ids of the suggested resources (referral, Goals, CarePlan) are new per call too.
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:apply|id)-\d{4}/gi;
  return JSON.parse(
    JSON.stringify(response.cards, (key, value: unknown) =>
      key === 'uuid' ? undefined : typeof value === 'string' ? value.replace(UUID, '*') : value
    )
  );
}

/**
 * Paths of `null`, `""`, `[]` and `{}` anywhere in a CDS response (docs/integration.md), with array indices folded
 * (`cards[].…`) so one shape of defect is one entry. `cards: []` itself is allowed (no guidance).
 */
export function emptyValuePaths(value: unknown, at = ''): string[] {
  if (value === null) {
    return [at];
  }
  if (typeof value === 'string') {
    return value.trim() === '' ? [at] : [];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return at === '.cards' ? [] : [at];
    }
    return [...new Set(value.flatMap((child) => emptyValuePaths(child, `${at}[]`)))];
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [at] : entries.flatMap(([key, child]) => emptyValuePaths(child, `${at}.${key}`));
  }
  return [];
}

export interface KnownGaps {
  readonly records: Readonly<Record<string, string>>;
  readonly variations: Readonly<Record<string, string>>;
  readonly emptyValues: Readonly<Record<string, string>>;
}

/** The ratchet: what fails today, with the reason; it may only shrink. */
export function loadKnownGaps(): KnownGaps {
  return JSON.parse(readFileSync(path.join(__dirname, 'known-gaps.json'), 'utf8')) as KnownGaps;
}

/** Failures not in the list, and listed entries that no longer fail: both must be empty. */
export function ratchet(
  failing: ReadonlyMap<string, string>,
  known: Readonly<Record<string, string>>
): { newFailures: string[]; nowPassing: string[] } {
  return {
    newFailures: [...failing].filter(([key]) => !(key in known)).map(([key, why]) => `${key}: ${why}`),
    nowPassing: Object.keys(known).filter((key) => !failing.has(key)),
  };
}
