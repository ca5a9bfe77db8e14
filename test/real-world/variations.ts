import type { CodeableConcept, Coding, Condition, Observation, Resource } from '@medplum/fhirtypes';
import { coding, daysAgo, JOURNAL_LINE_TYPE, OID, SYSTEM } from './fhir';
import type { SystemName } from './fhir';
import type { Flag, RealWorldRecord } from './record';

/**
 * The real-world variations of §10 as functions on one record: each rewrites the resource that carries the red
 * flag (the evidence) into another shape of the same fact. A variation that does not apply to the evidence's shape
 * answers undefined.
 */

/** A corpus record the service reads correctly, the flag it shows, and the resource that shows it. */
export interface Seed {
  readonly flag: Flag;
  readonly recordId: string;
  readonly evidenceId: string;
  /** Another code of the same concept, in common use (RW-02). */
  readonly alternative?: Coding;
  /** An older duplicate changes the fact itself (an earlier back-pain episode means RF-06 rightly stops). */
  readonly duplicateChangesFact?: true;
}

export const SEEDS: readonly Seed[] = [
  {
    flag: 'RF-01',
    recordId: 'rf01-icpc-oid-u04',
    evidenceId: 'rf01-icpc-oid-u04-u04',
    alternative: coding('sct', '165232002'),
  },
  {
    flag: 'RF-01',
    recordId: 'rf01-be-faecal-d17',
    evidenceId: 'rf01-be-faecal-d17-d17',
    alternative: coding('icd10', 'R15'),
  },
  { flag: 'RF-02', recordId: 'rf02-icpc-n18', evidenceId: 'rf02-icpc-n18-n18', alternative: coding('icd10', 'G83.1') },
  { flag: 'RF-02', recordId: 'rf02-journal-klapvoet', evidenceId: 'rf02-journal-klapvoet-o1' },
  {
    flag: 'RF-03',
    recordId: 'rw07-migrated-old-lbp-fever',
    evidenceId: 'rw07-migrated-old-lbp-fever-t',
    alternative: coding('loinc', '8331-1', 'Oral temperature'),
  },
  { flag: 'RF-03', recordId: 'rf03-journal-koorts', evidenceId: 'rf03-journal-koorts-s' },
  { flag: 'RF-03', recordId: 'rf03-text-only-episode', evidenceId: 'rf03-text-only-episode-koorts' },
  {
    flag: 'RF-03',
    recordId: 'rf03-be-icpc2-a03',
    evidenceId: 'rf03-be-icpc2-a03-a03',
    alternative: coding('icd10', 'R50.9'),
  },
  {
    flag: 'RF-04',
    recordId: 'rf04-computed-kg',
    evidenceId: 'rf04-computed-kg-w2',
    alternative: coding('loinc', '3141-9', 'Body weight Measured'),
  },
  { flag: 'RF-04', recordId: 'rf04-journal-afgevallen', evidenceId: 'rf04-journal-afgevallen-s' },
  {
    flag: 'RF-05',
    recordId: 'rf05-be-icd10-c61',
    evidenceId: 'rf05-be-icd10-c61-c61',
    alternative: coding('icpc2', 'Y77'),
  },
  {
    flag: 'RF-06',
    recordId: 'rf06-first-episode-56',
    evidenceId: 'rf06-first-episode-56-lbp',
    alternative: coding('sct', '279039007'),
    duplicateChangesFact: true,
  },
  {
    flag: 'RF-07',
    recordId: 'rf07-icd10-s32',
    evidenceId: 'rf07-icd10-s32-s32',
    alternative: coding('icd10', 'S32.00'),
  },
  { flag: 'RF-07', recordId: 'rf07-journal-car-accident', evidenceId: 'rf07-journal-car-accident-s1' },
  { flag: 'RF-08', recordId: 'rf08-journal-nachtpijn', evidenceId: 'rf08-journal-nachtpijn-s1' },
  {
    flag: 'RF-C',
    recordId: 'rfc-first-episode-osteoporosis-oid',
    evidenceId: 'rfc-first-episode-osteoporosis-oid-l95',
    alternative: coding('sct', '64859006'),
  },
  {
    flag: 'EX-06',
    recordId: 'ex-spinal-infection-m464',
    evidenceId: 'ex-spinal-infection-m464-inf',
    alternative: coding('icpc2', 'L70'),
  },
];

type Rewrite = (resource: Resource, seed: Seed) => Resource | undefined;

const OID_OF = new Map<string, string>(Object.entries(SYSTEM).map(([name, uri]) => [uri, OID[name as SystemName]]));

function codeOf(resource: Resource): CodeableConcept | undefined {
  return (resource as { code?: CodeableConcept }).code;
}

function withCode(resource: Resource, code: CodeableConcept): Resource {
  return { ...resource, code } as Resource;
}

/** A problem known only by the GP's own words: an HIS episode without a code. */
const isTextOnlyProblem = (resource: Resource): resource is Condition =>
  resource.resourceType === 'Condition' && resource.code?.coding === undefined && resource.code?.text !== undefined;

const isJournal = (resource: Resource): resource is Observation =>
  resource.resourceType === 'Observation' &&
  typeof resource.valueString === 'string' &&
  resource.valueQuantity === undefined;

/** Decimal comma and a unit in words, as an HIS stores a measurement typed by the assistant. */
function asDutchString(value: number, unit: string | undefined): string {
  return `${String(value).replace('.', ',')} ${unit === '°C' || unit === 'Cel' ? 'graden' : (unit ?? '')}`.trim();
}

/** A measured Observation (not a journal line) whose value can move into a panel. */
const isMeasurement = (resource: Resource): resource is Observation =>
  resource.resourceType === 'Observation' && resource.valueQuantity?.value !== undefined;

/**
 * The measurement as one component of a vital-signs panel (FHIR vitalsigns panel LOINC 85353-1, as HIS exports
 * send a consultation's measurements), next to a heart rate; `asString` sends its value as a component valueString.
 */
function intoPanel(resource: Observation, asString: boolean): Observation {
  const { valueQuantity, code, ...rest } = resource;
  const value = asString
    ? { valueString: asDutchString(valueQuantity?.value ?? 0, valueQuantity?.unit) }
    : { valueQuantity };
  return {
    ...rest,
    code: { coding: [coding('loinc', '85353-1', 'Vital signs panel')], text: 'Vitale functies' },
    component: [
      { code: { coding: [coding('loinc', '8867-4', 'Heart rate')] }, valueQuantity: { value: 84, unit: '/min' } },
      { code, ...value },
    ],
  };
}

const REWRITES: Readonly<Record<string, Rewrite>> = {
  'oid-system': (resource) => {
    const code = codeOf(resource);
    const codings = code?.coding ?? [];
    if (!codings.some((c) => OID_OF.has(c.system ?? ''))) {
      return undefined;
    }
    return withCode(resource, {
      ...code,
      coding: codings.map((c) => ({ ...c, system: OID_OF.get(c.system ?? '') ?? c.system })),
    });
  },
  'second-coding': (resource) => {
    const code = codeOf(resource);
    if (!code?.coding) {
      return undefined;
    }
    const local = { system: 'urn:oid:2.16.840.1.113883.2.4.3.111.5.10.1', code: 'HIS-0815', display: 'Lokale code' };
    return withCode(resource, { ...code, coding: [local, ...code.coding] });
  },
  'alternative-code': (resource, seed) => {
    const code = codeOf(resource);
    return seed.alternative && code?.coding ? withCode(resource, { ...code, coding: [seed.alternative] }) : undefined;
  },
  'value-string': (resource) => {
    if (resource.resourceType !== 'Observation' || resource.valueQuantity?.value === undefined) {
      return undefined;
    }
    const { valueQuantity, ...rest } = resource;
    return { ...rest, valueString: asDutchString(valueQuantity.value ?? 0, valueQuantity.unit) };
  },
  'panel-component': (resource) => (isMeasurement(resource) ? intoPanel(resource, false) : undefined),
  'panel-component-string': (resource) => (isMeasurement(resource) ? intoPanel(resource, true) : undefined),
  'effective-period': (resource) => {
    if (resource.resourceType !== 'Observation' || !resource.effectiveDateTime) {
      return undefined;
    }
    const { effectiveDateTime, ...rest } = resource;
    return { ...rest, effectivePeriod: { start: effectiveDateTime, end: effectiveDateTime } };
  },
  'effective-instant': (resource) => {
    if (resource.resourceType !== 'Observation' || !resource.effectiveDateTime) {
      return undefined;
    }
    const { effectiveDateTime, ...rest } = resource;
    return { ...rest, effectiveInstant: new Date(effectiveDateTime).toISOString() };
  },
  'issued-only': (resource) => {
    if (resource.resourceType !== 'Observation' || !resource.effectiveDateTime) {
      return undefined;
    }
    const { effectiveDateTime, ...rest } = resource;
    return { ...rest, issued: new Date(effectiveDateTime).toISOString() };
  },
  'onset-period': (resource) => {
    if (resource.resourceType !== 'Condition' || !resource.onsetDateTime) {
      return undefined;
    }
    const { onsetDateTime, ...rest } = resource;
    return { ...rest, onsetPeriod: { start: onsetDateTime } };
  },
  'text-to-note': (resource) => {
    if (!isJournal(resource)) {
      return undefined;
    }
    const { valueString, ...rest } = resource;
    return { ...rest, note: [{ text: valueString ?? '' }] };
  },
  'text-to-condition-code-text': (resource) => {
    if (!isJournal(resource)) {
      return undefined;
    }
    const condition: Condition = {
      resourceType: 'Condition',
      id: resource.id,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { text: resource.valueString },
      subject: { reference: resource.subject?.reference },
      onsetDateTime: resource.effectiveDateTime,
      recordedDate: resource.effectiveDateTime?.slice(0, 10),
    };
    return condition;
  },
  'text-to-condition-note': (resource) => {
    if (!isJournal(resource)) {
      return undefined;
    }
    return {
      resourceType: 'Condition',
      id: resource.id,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { text: 'Consult' },
      subject: { reference: resource.subject?.reference },
      onsetDateTime: resource.effectiveDateTime,
      recordedDate: resource.effectiveDateTime?.slice(0, 10),
      note: [{ text: resource.valueString ?? '' }],
    };
  },
  'code-text-to-note': (resource) => {
    if (!isTextOnlyProblem(resource)) {
      return undefined;
    }
    return { ...resource, code: { text: 'Consult' }, note: [{ text: resource.code?.text ?? '' }] };
  },
  'code-text-to-value-string': (resource) => {
    if (!isTextOnlyProblem(resource)) {
      return undefined;
    }
    const line: Observation = {
      resourceType: 'Observation',
      id: resource.id,
      status: 'final',
      code: { coding: [{ system: JOURNAL_LINE_TYPE, code: 'S' }], text: 'Subjectief' },
      subject: { reference: resource.subject.reference },
      effectiveDateTime: resource.onsetDateTime,
      valueString: resource.code?.text,
    };
    return line;
  },
};

export const VARIATIONS = Object.keys(REWRITES);

/**
 * The record a seed's variations start from. For a coded seed (one with an alternative code) the evidence loses its
 * words (code.text, displays, notes), so that only the code can carry the flag and a variation that loses the code
 * cannot hide behind a free-text match.
 */
export function seedRecord(record: RealWorldRecord, seed: Seed): RealWorldRecord {
  if (!seed.alternative) {
    return record;
  }
  const wordless = (resource: Resource): Resource => {
    const copy = structuredClone(resource) as { code?: CodeableConcept; note?: unknown };
    if (copy.code) {
      copy.code = { coding: (copy.code.coding ?? []).map(({ system, code }) => ({ system, code })) };
    }
    delete copy.note;
    return copy as Resource;
  };
  return {
    ...record,
    resources: record.resources.map((resource) => (resource.id === seed.evidenceId ? wordless(resource) : resource)),
  };
}

/** The record with its evidence rewritten by one variation, or undefined when the variation does not apply. */
export function vary(record: RealWorldRecord, seed: Seed, variation: string): RealWorldRecord | undefined {
  const evidence = record.resources.find((resource) => resource.id === seed.evidenceId);
  const rewritten = evidence ? REWRITES[variation]?.(structuredClone(evidence), seed) : undefined;
  if (!rewritten) {
    return undefined;
  }
  return {
    ...record,
    id: `${record.id}~${variation}`,
    resources: record.resources.map((resource) => (resource.id === seed.evidenceId ? rewritten : resource)),
  };
}

/**
 * An older, resolved (Condition) or earlier normal (Observation) duplicate of the evidence, touched by a migration
 * (newest meta.lastUpdated): it must never remove the flag (RW-07).
 */
export function olderDuplicate(record: RealWorldRecord, seed: Seed): RealWorldRecord | undefined {
  const evidence = record.resources.find((resource) => resource.id === seed.evidenceId);
  if (!evidence || seed.duplicateChangesFact) {
    return undefined;
  }
  const migrated = { lastUpdated: `${daysAgo(0)}T03:00:00Z` };
  let duplicate: Resource;
  if (evidence.resourceType === 'Condition') {
    duplicate = {
      ...structuredClone(evidence),
      id: `${evidence.id ?? ''}-dup`,
      meta: migrated,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }],
      },
      onsetDateTime: '2016-02-01',
      abatementDateTime: '2016-05-01',
      recordedDate: '2016-02-01',
    };
    delete duplicate.onsetPeriod;
  } else if (evidence.resourceType === 'Observation') {
    duplicate = {
      ...structuredClone(evidence),
      id: `${evidence.id ?? ''}-dup`,
      meta: migrated,
      effectiveDateTime: '2016-02-01T10:00:00+01:00',
    };
  } else {
    return undefined;
  }
  return { ...record, id: `${record.id}~older-duplicate`, resources: [...record.resources, duplicate] };
}
