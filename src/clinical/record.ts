import type {
  CodeableConcept,
  Coding,
  Condition,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  QuestionnaireResponse,
  Resource,
} from '@medplum/fhirtypes';
import type { DataProblem, GatheredRecord } from '../fhir/gather';
import type { Terminology } from '../fhir/terminology';
import type { DayNumber } from './dates';
import { dayOf, isoDay, toDay } from './dates';
import type { TextSource } from './text-match';
import {
  medicationTexts,
  orderTexts,
  procedureTexts as procedureFreeTexts,
  questionnaireTexts,
} from './text/record-texts';

/**
 * The patient record as the rules see it (clinical-knowledge.md §2 "General data rules"): resources that
 * are entered-in-error or refuted are gone, unconfirmed diagnoses are kept and marked suspected, each
 * concept's latest record wins over older contradicting ones, quantities are in °C, kg and mmHg, and
 * every code carries the value sets it belongs to, computed once here.
 */

/** Something found in the record, with what a clinician needs to check it. */
export interface RecordItem {
  /** `Condition/c1` */
  readonly reference: string;
  /** Human text of the code: code.text, else the first coding's display, else system|code. */
  readonly display: string;
  /** Value-set URLs of the code (and, for observations, of a coded value). */
  readonly valueSets: ReadonlySet<string>;
  /** Unconfirmed, provisional or differential diagnosis: counted, and shown as suspected. */
  readonly suspected: boolean;
}

export interface ConditionItem extends RecordItem {
  /** clinicalStatus active/recurrence/relapse (or absent) and no abatement in the past. */
  readonly current: boolean;
  readonly onsetDay?: DayNumber;
  readonly recordedDay?: DayNumber;
  /** The day a window is measured from: onset, else recorded date. */
  readonly day?: DayNumber;
  /** True when `day` is only the recorded date, not a real onset. */
  readonly onsetUncertain: boolean;
  readonly abatementDay?: DayNumber;
  /** At least one coding belongs to a project value set. */
  readonly recognised: boolean;
}

export interface ObservationItem extends RecordItem {
  readonly day?: DayNumber;
  /** Body temperature in °C, when the unit is a temperature unit. */
  readonly celsius?: number;
  /** Mass in kg, when the unit is a mass unit. */
  readonly kg?: number;
  readonly mmHg?: number;
  /** Components (e.g. of a blood-pressure panel) with their own value sets and pressures. */
  readonly components: readonly { readonly valueSets: ReadonlySet<string>; readonly mmHg?: number }[];
  /** A plain number (valueQuantity.value or valueInteger), e.g. a STarT Back total score. */
  readonly number?: number;
  /** The quantity as recorded: for evidence, and for the facts that report a unit they cannot read. */
  readonly quantity?: { readonly value: number; readonly unit: string };
}

export interface MedicationItem extends RecordItem {
  readonly status: string;
  readonly startDay?: DayNumber;
  /** Last day of use; undefined = ongoing or unknown. */
  readonly endDay?: DayNumber;
}

export interface ProcedureItem extends RecordItem {
  readonly status: string;
  readonly day?: DayNumber;
  /** code.text and bodySite texts, for rules that recognise a procedure by its words. */
  readonly texts: readonly string[];
}

/** A draft order from the order hooks' context. */
export interface OrderItem extends RecordItem {
  readonly reasonValueSets: ReadonlySet<string>;
  /** Conditions named by reasonReference. */
  readonly reasonReferences: readonly string[];
  readonly texts: readonly string[];
  readonly selected: boolean;
}

/** A free-text source with its day and whether it belongs to a current problem. */
export interface RecordText {
  readonly source: TextSource;
  readonly day?: DayNumber;
  /** False for the text of a resolved/inactive Condition: it does not show a current finding. */
  readonly current: boolean;
}

/** A data-quality note raised while reading the record (DQ-01). */
export interface DataNote {
  readonly code: 'data-not-obtained' | 'unreadable-code' | 'medication-unresolved';
  readonly reference?: string;
  readonly detail: string;
}

export interface ClinicalRecord {
  /** The hook that was called: some advice depends on it (TS-10 only on patient-view). */
  readonly hook: string;
  readonly today: DayNumber;
  readonly patient: Patient;
  readonly birthDay?: DayNumber;
  readonly conditions: readonly ConditionItem[];
  readonly observations: readonly ObservationItem[];
  readonly medications: readonly MedicationItem[];
  readonly procedures: readonly ProcedureItem[];
  readonly questionnaireResponses: readonly QuestionnaireResponse[];
  readonly orders: readonly OrderItem[];
  readonly texts: readonly RecordText[];
  readonly notes: readonly DataNote[];
}

const SUSPECTED = new Set(['unconfirmed', 'provisional', 'differential']);
const CURRENT_STATUS = new Set(['active', 'recurrence', 'relapse']);

type Json = Record<string, unknown>;

function codings(concept: unknown): Coding[] {
  // Real data may hold a non-object concept, a non-array coding or null codings despite the types.
  const list: unknown =
    typeof concept === 'object' && concept !== null ? (concept as { coding?: unknown }).coding : undefined;
  return Array.isArray(list) ? list.filter((c): c is Coding => typeof c === 'object' && c !== null) : [];
}

function statusCode(concept: CodeableConcept | undefined): string | undefined {
  return codings(concept).find((coding) => typeof coding.code === 'string')?.code;
}

function displayOf(concept: CodeableConcept | undefined): string {
  if (typeof concept?.text === 'string' && concept.text.trim()) {
    return concept.text.trim();
  }
  for (const coding of codings(concept)) {
    if (typeof coding.display === 'string' && coding.display.trim()) {
      return coding.display.trim();
    }
  }
  const first = codings(concept).find((coding) => coding.code);
  return first ? `${first.system ?? '?'}|${first.code ?? ''}` : '(no code)';
}

function notesOf(resource: { note?: { text?: string }[] }): string[] {
  return Array.isArray(resource.note)
    ? resource.note.map((note) => note.text).filter((text): text is string => typeof text === 'string')
    : [];
}

const refOf = (resource: Resource): string => `${resource.resourceType}/${resource.id ?? '(no id)'}`;

/** Reads codes into value-set memberships once, so rules only do set lookups. */
class Coder {
  constructor(private readonly terminology: Terminology) {}

  valueSets(...concepts: (CodeableConcept | undefined)[]): Set<string> {
    const urls = new Set<string>();
    for (const concept of concepts) {
      for (const coding of codings(concept)) {
        for (const url of this.terminology.valueSetsOf(coding)) {
          urls.add(url);
        }
      }
    }
    return urls;
  }
}

function conditionItem(condition: Condition, coder: Coder, today: DayNumber, birthDay?: DayNumber): ConditionItem {
  const status = statusCode(condition.clinicalStatus);
  const abatementDay =
    toDay(condition.abatementDateTime) ?? toDay(condition.abatementPeriod?.end ?? condition.abatementPeriod?.start);
  const abated = abatementDay !== undefined && abatementDay <= today;
  const onsetAgeYears =
    typeof condition.onsetAge?.value === 'number' && (condition.onsetAge.code ?? 'a') === 'a'
      ? condition.onsetAge.value
      : undefined;
  const onsetDay =
    toDay(condition.onsetDateTime) ??
    toDay(condition.onsetPeriod?.start) ??
    (onsetAgeYears !== undefined && birthDay !== undefined ? birthDay + Math.round(onsetAgeYears * 365.25) : undefined);
  const recordedDay = toDay(condition.recordedDate);
  const valueSets = coder.valueSets(condition.code);
  return {
    reference: refOf(condition),
    display: displayOf(condition.code),
    valueSets,
    recognised: valueSets.size > 0,
    suspected: SUSPECTED.has(statusCode(condition.verificationStatus) ?? ''),
    // A missing clinicalStatus counts as current (safety-first): only an explicit status or a past abatement ends it.
    current: (status === undefined || CURRENT_STATUS.has(status)) && !abated,
    onsetDay,
    recordedDay,
    day: onsetDay ?? recordedDay,
    onsetUncertain: onsetDay === undefined,
    abatementDay,
  };
}

/** The most recent record of a concept wins (DESIGN): recordedDate, else meta.lastUpdated, else onset/abatement. */
function recency(condition: Condition): number {
  return (
    toDay(condition.recordedDate) ??
    toDay(condition.meta?.lastUpdated) ??
    toDay(condition.abatementDateTime) ??
    toDay(condition.onsetDateTime) ??
    Number.NEGATIVE_INFINITY
  );
}

/**
 * Two records of one concept describe different episodes when one ended (abatement, else the day its
 * non-current status was recorded) before the other began (onset, else recorded date): a back pain that
 * resolved in 2019 does not contradict a new one in 2026.
 */
function separateEpisodes(a: ConditionItem, b: ConditionItem): boolean {
  const [ended, current] = a.current ? [b, a] : [a, b];
  const end = ended.abatementDay ?? ended.recordedDay;
  const start = current.onsetDay ?? current.recordedDay;
  return end !== undefined && start !== undefined && end < start;
}

/**
 * The older records that contradict a newer one about the same concept (same system and code) in the same
 * episode: when a concept is both current and resolved, the latest record decides.
 * @returns the indexes of the records to drop
 */
function contradictedIndexes(conditions: Condition[], items: ConditionItem[]): ReadonlySet<number> {
  const byConcept = new Map<string, number[]>();
  conditions.forEach((condition, index) => {
    for (const coding of codings(condition.code)) {
      if (coding.system && coding.code) {
        const key = `${coding.system}|${coding.code.trim().toUpperCase()}`;
        const indexes = byConcept.get(key);
        if (indexes) {
          indexes.push(index);
        } else {
          byConcept.set(key, [index]);
        }
      }
    }
  });
  const dropped = new Set<number>();
  for (const indexes of byConcept.values()) {
    for (const i of indexes) {
      for (const j of indexes) {
        const a = items[i] as ConditionItem;
        const b = items[j] as ConditionItem;
        if (i >= j || a.current === b.current || separateEpisodes(a, b)) {
          continue;
        }
        const older = recency(conditions[i] as Condition) < recency(conditions[j] as Condition) ? i : j;
        dropped.add(older);
      }
    }
  }
  return dropped;
}

const CELSIUS_UNITS = new Set(['cel', '°c', 'c', 'degc', 'celsius', 'graden celsius']);
const FAHRENHEIT_UNITS = new Set(['[degf]', '°f', 'f', 'degf', 'fahrenheit']);
const KG_UNITS = new Set(['kg', 'kilogram', 'kilograms', 'kilo']);
const POUND_UNITS = new Set(['[lb_av]', 'lb', 'lbs', 'pound', 'pounds']);
const GRAM_UNITS = new Set(['g', 'gram', 'grams']);
const MMHG_UNITS = new Set(['mm[hg]', 'mmhg', 'mm hg']);

/** Quantity in the unit the rules use; undefined when the unit is not understood. */
function convert(value: number, unit: string): { celsius?: number; kg?: number; mmHg?: number } | undefined {
  const u = unit.trim().toLowerCase();
  if (CELSIUS_UNITS.has(u)) {
    return { celsius: value };
  }
  if (FAHRENHEIT_UNITS.has(u)) {
    return { celsius: ((value - 32) * 5) / 9 };
  }
  if (KG_UNITS.has(u)) {
    return { kg: value };
  }
  if (POUND_UNITS.has(u)) {
    return { kg: value * 0.4536 };
  }
  if (GRAM_UNITS.has(u)) {
    return { kg: value / 1000 };
  }
  if (MMHG_UNITS.has(u)) {
    return { mmHg: value };
  }
  return undefined;
}

interface ReadQuantity {
  readonly value: number;
  readonly unit: string;
  readonly converted?: { celsius?: number; kg?: number; mmHg?: number };
}

function readQuantity(quantity: Observation['valueQuantity']): ReadQuantity | undefined {
  if (typeof quantity?.value !== 'number' || !Number.isFinite(quantity.value)) {
    return undefined;
  }
  const unit = (typeof quantity.code === 'string' ? quantity.code : undefined) ?? quantity.unit ?? '';
  const converted =
    convert(quantity.value, unit) ?? (quantity.unit ? convert(quantity.value, quantity.unit) : undefined);
  return { value: quantity.value, unit: quantity.unit ?? unit, converted };
}

function observationItem(observation: Observation, coder: Coder): ObservationItem {
  const reference = refOf(observation);
  const valueSets = coder.valueSets(observation.code, observation.valueCodeableConcept);
  const day =
    toDay(observation.effectiveDateTime) ??
    toDay(observation.effectivePeriod?.start) ??
    toDay(observation.effectiveInstant) ??
    toDay(observation.issued);
  const quantity = readQuantity(observation.valueQuantity);
  const components = (observation.component ?? []).map((component) => ({
    valueSets: coder.valueSets(component.code),
    mmHg: readQuantity(component.valueQuantity)?.converted?.mmHg,
  }));
  return {
    reference,
    display: displayOf(observation.code),
    valueSets,
    suspected: false,
    day,
    celsius: quantity?.converted?.celsius,
    kg: quantity?.converted?.kg,
    mmHg: quantity?.converted?.mmHg,
    number: quantity?.value ?? (typeof observation.valueInteger === 'number' ? observation.valueInteger : undefined),
    components,
    quantity: quantity ? { value: quantity.value, unit: quantity.unit } : undefined,
  };
}

const DURATION_DAYS: Readonly<Record<string, number>> = { d: 1, wk: 7, mo: 30, a: 365, h: 1 / 24, min: 1 / 1440 };

function durationDays(duration: { value?: number; code?: string; unit?: string } | undefined): number | undefined {
  if (typeof duration?.value !== 'number') {
    return undefined;
  }
  const factor =
    DURATION_DAYS[duration.code ?? ''] ?? DURATION_DAYS[(duration.unit ?? '').replace(/s$/, '').slice(0, 2)];
  return factor === undefined ? undefined : Math.max(1, Math.round(duration.value * factor));
}

/** The medication code: medicationCodeableConcept, or a contained Medication's code. */
function medicationCode(resource: MedicationStatement | MedicationRequest): CodeableConcept | undefined {
  if (resource.medicationCodeableConcept) {
    return resource.medicationCodeableConcept;
  }
  const reference = resource.medicationReference?.reference;
  if (reference?.startsWith('#')) {
    const contained = (resource.contained ?? []).find((r) => r.id === reference.slice(1));
    return contained?.resourceType === 'Medication' ? contained.code : undefined;
  }
  return undefined;
}

function medicationItem(
  resource: MedicationStatement | MedicationRequest,
  coder: Coder,
  notes: DataNote[]
): MedicationItem {
  const code = medicationCode(resource);
  const reference = refOf(resource);
  if (code === undefined) {
    notes.push({ code: 'medication-unresolved', reference, detail: 'medication not coded in the resource' });
  }
  let startDay: DayNumber | undefined;
  let endDay: DayNumber | undefined;
  if (resource.resourceType === 'MedicationStatement') {
    startDay =
      toDay(resource.effectivePeriod?.start) ?? toDay(resource.effectiveDateTime) ?? toDay(resource.dateAsserted);
    endDay = toDay(resource.effectivePeriod?.end) ?? (resource.effectiveDateTime ? startDay : undefined);
  } else {
    const bounds = resource.dosageInstruction?.find((d) => d.timing?.repeat)?.timing?.repeat;
    startDay =
      toDay(bounds?.boundsPeriod?.start) ??
      toDay(resource.dispenseRequest?.validityPeriod?.start) ??
      toDay(resource.authoredOn);
    const days = durationDays(resource.dispenseRequest?.expectedSupplyDuration) ?? durationDays(bounds?.boundsDuration);
    endDay =
      toDay(bounds?.boundsPeriod?.end) ??
      (startDay !== undefined && days !== undefined ? startDay + days - 1 : undefined);
  }
  return {
    reference,
    display: displayOf(code),
    valueSets: coder.valueSets(code),
    suspected: false,
    status: typeof resource.status === 'string' ? resource.status : 'unknown',
    startDay,
    endDay,
  };
}

function texts(
  resource: Json,
  fields: readonly (readonly [string, string | undefined])[],
  day: DayNumber | undefined,
  current: boolean
): RecordText[] {
  const reference = refOf(resource as unknown as Resource);
  const date = day === undefined ? undefined : isoDay(day);
  return fields
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim().length > 0)
    .map(([field, text]) => ({ source: { reference, field, text, ...(date ? { date } : {}) }, day, current }));
}

const hasUsableCode = (concept: CodeableConcept | undefined) =>
  codings(concept).some((coding) => coding.system && coding.code) ||
  (typeof concept?.text === 'string' && concept.text.trim() !== '');

/** The resources of one prefetch key, of the expected type. */
function resourcesOf<T extends Resource>(record: GatheredRecord, key: string, type: T['resourceType']): T[] {
  return (record.data[key]?.resources ?? []).filter((resource): resource is T => resource.resourceType === type);
}

const isEnteredInError = (status: unknown) => status === 'entered-in-error';

export interface NormaliseInput {
  readonly hook: string;
  readonly gathered: GatheredRecord;
  readonly terminology: Terminology;
  readonly now: Date;
  /** Draft orders of order-select/order-sign, with the selected ids. */
  readonly draftOrders?: readonly Resource[];
  readonly selections?: readonly string[];
}

/**
 * Builds the ClinicalRecord from the gathered FHIR data.
 * @param input - gathered record, terminology, evaluation instant and draft orders
 */
export function normaliseRecord(input: NormaliseInput): ClinicalRecord {
  const { gathered, terminology } = input;
  const today = dayOf(input.now);
  const coder = new Coder(terminology);
  const notes: DataNote[] = gathered.problems.map((problem: DataProblem) => ({
    code: 'data-not-obtained',
    detail: `${problem.resourceType}: ${problem.detail}`,
  }));
  const recordTexts: RecordText[] = [];

  const rawConditions = resourcesOf<Condition>(gathered, 'conditions', 'Condition').filter((condition) => {
    const verification = statusCode(condition.verificationStatus);
    return verification !== 'entered-in-error' && verification !== 'refuted';
  });
  const birthDay = toDay(gathered.patient.birthDate);
  const allConditionItems = rawConditions.map((condition) => conditionItem(condition, coder, today, birthDay));
  const contradicted = contradictedIndexes(rawConditions, allConditionItems);
  const conditions = allConditionItems.filter((_item, index) => !contradicted.has(index));
  rawConditions.forEach((condition, index) => {
    const item = allConditionItems[index] as ConditionItem;
    if (contradicted.has(index)) {
      return;
    }
    if (!hasUsableCode(condition.code)) {
      notes.push({
        code: 'unreadable-code',
        reference: item.reference,
        detail: 'Condition without a usable code or text',
      });
    }
    const fields: [string, string | undefined][] = [
      ['code.text', condition.code?.text],
      ...notesOf(condition).map((text): [string, string] => ['note', text]),
    ];
    recordTexts.push(...texts(condition as unknown as Json, fields, item.day, item.current));
  });

  const observations = resourcesOf<Observation>(gathered, 'observations', 'Observation')
    .filter((observation) => !isEnteredInError(observation.status) && observation.status !== 'cancelled')
    .map((observation) => {
      const item = observationItem(observation, coder);
      if (!hasUsableCode(observation.code)) {
        // Its value cannot be attributed to anything (a temperature? a weight?), so the GP is told it was ignored.
        notes.push({
          code: 'unreadable-code',
          reference: item.reference,
          detail: 'Observation without a usable code or text',
        });
      }
      const fields: [string, string | undefined][] = [
        ['valueString', observation.valueString],
        ...notesOf(observation).map((text): [string, string] => ['note', text]),
      ];
      recordTexts.push(...texts(observation as unknown as Json, fields, item.day, true));
      return item;
    });

  const medications = [
    ...resourcesOf<MedicationStatement>(gathered, 'medicationStatements', 'MedicationStatement'),
    ...resourcesOf<MedicationRequest>(gathered, 'medicationRequests', 'MedicationRequest'),
  ]
    .filter((resource) => !isEnteredInError(resource.status))
    .map((resource) => {
      const item = medicationItem(resource, coder, notes);
      recordTexts.push(...texts(resource as unknown as Json, medicationTexts(resource), item.startDay, true));
      return item;
    });

  const procedures = resourcesOf<Procedure>(gathered, 'procedures', 'Procedure')
    .filter((procedure) => !isEnteredInError(procedure.status))
    .map((procedure): ProcedureItem => {
      const day = toDay(procedure.performedDateTime) ?? toDay(procedure.performedPeriod?.start);
      const procedureTexts = [
        procedure.code?.text,
        ...(procedure.bodySite ?? []).map((site) => site.text ?? displayOf(site)),
      ]
        .concat(codings(procedure.code).map((coding) => coding.display))
        .filter((text): text is string => typeof text === 'string' && text.trim() !== '');
      recordTexts.push(...texts(procedure as unknown as Json, procedureFreeTexts(procedure), day, true));
      return {
        reference: refOf(procedure),
        display: displayOf(procedure.code),
        valueSets: coder.valueSets(procedure.code),
        suspected: false,
        status: procedure.status,
        day,
        texts: procedureTexts,
      };
    });

  const selections = new Set(input.selections ?? []);
  const orders = (input.draftOrders ?? []).map((order): OrderItem => {
    const json = order as unknown as {
      code?: CodeableConcept;
      reasonCode?: CodeableConcept[];
      reasonReference?: { reference?: string }[];
      note?: { text?: string }[];
    };
    const reference = refOf(order);
    return {
      reference,
      display: displayOf(json.code),
      valueSets: coder.valueSets(json.code),
      suspected: false,
      reasonValueSets: coder.valueSets(...(json.reasonCode ?? [])),
      reasonReferences: (json.reasonReference ?? []).map((r) => r.reference).filter((r): r is string => !!r),
      texts: [
        json.code?.text,
        ...codings(json.code).map((coding) => coding.display),
        ...(json.reasonCode ?? []).map((r) => r.text),
        ...notesOf(json),
      ].filter((text): text is string => typeof text === 'string' && text.trim() !== ''),
      selected: selections.size === 0 || selections.has(reference),
    };
  });

  // RW-08: the words of draft orders (dated today) and of questionnaire answers are free text like any note.
  for (const order of input.draftOrders ?? []) {
    recordTexts.push(...texts(order as unknown as Json, orderTexts(order), today, true));
  }
  const questionnaireResponses = resourcesOf<QuestionnaireResponse>(
    gathered,
    'questionnaireResponses',
    'QuestionnaireResponse'
  ).filter((response) => !isEnteredInError(response.status));
  for (const response of questionnaireResponses) {
    const day = toDay(response.authored);
    recordTexts.push(...texts(response as unknown as Json, questionnaireTexts(response), day, true));
  }

  return {
    hook: input.hook,
    today,
    patient: gathered.patient,
    birthDay,
    conditions,
    observations,
    medications,
    procedures,
    questionnaireResponses,
    orders,
    texts: recordTexts,
    notes,
  };
}
