import type {
  CodeableConcept,
  Coding,
  Condition,
  MedicationRequest,
  MedicationStatement,
  Observation,
  ObservationComponent,
  Patient,
  Procedure,
  QuestionnaireResponse,
  Resource,
} from '@medplum/fhirtypes';
import type { DataProblem, GatheredRecord } from './gathered-record';
import type { Terminology } from './knowledge/terminology';
import { CODE_SYSTEMS, normaliseCode, normaliseSystem } from './knowledge/terminology';
import type { DayNumber } from './dates';
import { isoDay, localDayOf, toDay } from './dates';
import { getOrAdd } from './get-or-add';
import { medicationUse } from './medication-use';
import { RecordDates } from './record-dates';
import type { Comparator } from './values';
import { observationValue } from './values';
import type { DataDetail } from './finding';
import type { DataNoteCode } from './vocabulary';
import type { TextSource } from './text-match';
import {
  medicationTexts,
  noteTexts,
  orderTexts,
  procedureTexts as procedureFreeTexts,
  questionnaireTexts,
} from './text/record-texts';

/**
 * The patient record as the rules see it (docs/clinical-specification.md §2 "General data rules"): resources that
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
  /**
   * Another record of the same concept says it ended, but the clinical dates cannot tell which is later (RW-07):
   * the record stays current, and the card says its status is unclear.
   */
  readonly statusUnclear?: boolean;
}

export interface ObservationItem extends RecordItem {
  readonly day?: DayNumber;
  /** Body temperature in °C, when the unit is a temperature unit. */
  readonly celsius?: number;
  /** Mass in kg, when the unit is a mass unit. */
  readonly kg?: number;
  readonly mmHg?: number;
  /**
   * Components (of a blood-pressure or vital-signs panel) with their own code's value sets and their own value,
   * read like a top-level value (valueQuantity or valueString): see {@link measurementsOf}.
   */
  readonly components: readonly ObservationMeasurement[];
  /** A plain number (valueQuantity.value or valueInteger), e.g. a STarT Back total score. */
  readonly number?: number;
  /**
   * The value as recorded (valueQuantity, or a number in valueString): for evidence, for the facts that report
   * a unit they cannot read, and for comparators (`>38` is only a bound).
   */
  readonly quantity?: { readonly value: number; readonly unit: string; readonly comparator?: Comparator };
}

/** What a measurement is and what it measured: an Observation's own value, or one of its components. */
export type ObservationMeasurement = Pick<
  ObservationItem,
  'display' | 'valueSets' | 'celsius' | 'kg' | 'mmHg' | 'number' | 'quantity'
>;

/**
 * An Observation and each of its components as measurements of their own, with the Observation's reference and
 * date: a temperature is found whether it is the value of a body-temperature Observation or a component of a
 * vital-signs panel (LOINC 85353-1, 8716-3).
 */
export function measurementsOf(item: ObservationItem): ObservationItem[] {
  return item.components.length === 0
    ? [item]
    : [item, ...item.components.map((component) => ({ ...item, ...component, components: [] }))];
}

export interface MedicationItem extends RecordItem {
  readonly status: string;
  /** Coded in ATC: then the ATC code decides what it is; otherwise its names are all there is. */
  readonly atcCoded: boolean;
  /** The medication's names (code.text and coding displays), e.g. "PREDNISOLON TABLET 5MG" of a G-Standaard code. */
  readonly names: readonly string[];
  /** Value sets of the dosage routes and the Medication form (RW-05: inhaled/topical vs systemic). */
  readonly routeValueSets: ReadonlySet<string>;
  /** Route and form texts and displays, dosage texts. */
  readonly routeTexts: readonly string[];
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

/** A data-quality note raised while reading the record (DQ-01): what, and what the record holds there. */
export interface DataNote {
  readonly code: DataNoteCode;
  readonly reference?: string;
  readonly detail: DataDetail;
  /** The record's own words for the item (a measurement's display), when it has them. */
  readonly text?: string;
  /** Its value with its unit, as recorded. */
  readonly value?: string;
  /** ISO date of the item. */
  readonly date?: string;
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

const HL7_TERMINOLOGY = 'http://terminology.hl7.org/CodeSystem/condition-';
const SUSPECTED = new Set(['unconfirmed', 'provisional', 'differential']);
const CURRENT_STATUS = new Set(['active', 'recurrence', 'relapse']);

type Json = Record<string, unknown>;

function codings(concept: unknown): Coding[] {
  // Real data may hold a non-object concept, a non-array coding or null codings despite the types.
  const list: unknown =
    typeof concept === 'object' && concept !== null ? (concept as { coding?: unknown }).coding : undefined;
  return Array.isArray(list) ? list.filter((c): c is Coding => typeof c === 'object' && c !== null) : [];
}

/**
 * The status code of clinicalStatus/verificationStatus: the coding in the HL7 code system when there is one
 * (a local coding may come first, RW-01), else the first coding with a code.
 */
function statusCode(concept: CodeableConcept | undefined): string | undefined {
  const coded = codings(concept).filter((coding) => typeof coding.code === 'string');
  return (coded.find((coding) => coding.system?.startsWith(HL7_TERMINOLOGY)) ?? coded[0])?.code;
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

/** The objects of a list field; real data holds nulls, strings or a lone object where FHIR says an array. */
function objects<T>(list: unknown): T[] {
  return Array.isArray(list) ? list.filter((item): item is T => typeof item === 'object' && item !== null) : [];
}

function notesOf(resource: { note?: unknown }): string[] {
  return noteTexts(resource as Json).map(([, text]) => text);
}

const refOf = (resource: Resource): string => `${resource.resourceType}/${resource.id ?? '(no id)'}`;

/**
 * Reads codes into value-set memberships once, so rules only do set lookups. A large record repeats a few codes
 * thousands of times, so each system|code is looked up once per record.
 */
class Coder {
  /** system → code → value-set URLs. */
  private readonly known = new Map<string, Map<string, readonly string[]>>();

  constructor(private readonly terminology: Terminology) {}

  valueSets(...concepts: (CodeableConcept | undefined)[]): Set<string> {
    const urls = new Set<string>();
    for (const concept of concepts) {
      for (const coding of codings(concept)) {
        for (const url of this.membersOf(coding)) {
          urls.add(url);
        }
      }
    }
    return urls;
  }

  private membersOf(coding: Coding): readonly string[] {
    // Only string fields are looked up by value; anything else is passed on as it is, uncached.
    if (typeof coding.system !== 'string' || typeof coding.code !== 'string') {
      return this.terminology.valueSetsOf(coding);
    }
    const byCode = getOrAdd(this.known, coding.system, () => new Map<string, readonly string[]>());
    return getOrAdd(byCode, coding.code, () => this.terminology.valueSetsOf(coding));
  }
}

function conditionItem(condition: Condition, coder: Coder, dates: RecordDates, birthDay?: DayNumber): ConditionItem {
  const status = statusCode(condition.clinicalStatus);
  const abatementDay = dates.abatementDay(condition);
  const abated = abatementDay !== undefined && abatementDay <= dates.today;
  const onsetDay = dates.onsetDay(condition, birthDay);
  const recordedDay = dates.day(condition.recordedDate);
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

/**
 * The latest clinical date of a record (RW-07): abatement, recorded date or onset. Never `meta.lastUpdated`:
 * migrations and bulk edits touch it without saying anything about the patient.
 */
function clinicalDay(item: ConditionItem): number | undefined {
  const days = [item.abatementDay, item.recordedDay, item.onsetDay].filter((day): day is number => day !== undefined);
  return days.length === 0 ? undefined : Math.max(...days);
}

/**
 * Two records of one concept describe different episodes when the ended one ended (abatement, else the day
 * its status was recorded) before the current one began, or began before it: a back pain that resolved in
 * 2019 does not contradict a new one in 2026, and an earlier episode never ends a later one.
 */
function separateEpisodes(ended: ConditionItem, current: ConditionItem): boolean {
  const end = ended.abatementDay ?? ended.recordedDay;
  const start = current.onsetDay ?? current.recordedDay;
  if (end !== undefined && start !== undefined && end < start) {
    return true;
  }
  return ended.onsetDay !== undefined && current.onsetDay !== undefined && ended.onsetDay < current.onsetDay;
}

interface Contradictions {
  /** Records another record of the same episode shows to be out of date. */
  readonly dropped: ReadonlySet<number>;
  /** Current records contradicted by an ended one whose dates do not show which is later. */
  readonly unclear: ReadonlySet<number>;
}

/**
 * Resolves records of the same concept (same system and code) in the same episode that disagree on whether it
 * is current (RW-07): the one whose clinical dates are later wins; when the dates cannot tell, the current one
 * stays (labelled "status unclear"), so a red flag is never removed on a guess.
 */
function findContradictions(conditions: Condition[], items: ConditionItem[]): Contradictions {
  const byConcept = new Map<string, number[]>();
  conditions.forEach((condition, index) => {
    for (const coding of codings(condition.code)) {
      if (coding.system && coding.code) {
        const system = normaliseSystem(coding.system);
        const key = `${system}|${normaliseCode(system, coding.code).toUpperCase()}`;
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
  const unclear = new Set<number>();
  for (const indexes of byConcept.values()) {
    // Only a current and an ended record can contradict each other: a record with 10,000 active Conditions of one
    // code compares nothing, instead of every pair.
    const currents = indexes.filter((index) => (items[index] as ConditionItem).current);
    const endeds = currents.length === 0 ? [] : indexes.filter((index) => !(items[index] as ConditionItem).current);
    for (const i of currents) {
      for (const j of endeds) {
        const current = items[i] as ConditionItem;
        const ended = items[j] as ConditionItem;
        if (separateEpisodes(ended, current)) {
          continue;
        }
        const currentDay = clinicalDay(current);
        const endedDay = clinicalDay(ended);
        if (currentDay === undefined || endedDay === undefined || currentDay === endedDay) {
          unclear.add(i);
        } else {
          dropped.add(endedDay > currentDay ? i : j);
        }
      }
    }
  }
  for (const index of dropped) {
    unclear.delete(index);
  }
  return { dropped, unclear };
}

/** The value of an Observation or of one of its components, read the same way (RW-03). */
function measurement(
  code: CodeableConcept | undefined,
  valueSets: ReadonlySet<string>,
  value: Pick<Observation, 'valueQuantity' | 'valueString' | 'valueInteger'>
): ObservationMeasurement {
  const quantity = observationValue(value);
  return {
    display: displayOf(code),
    valueSets,
    celsius: quantity?.celsius,
    kg: quantity?.kg,
    mmHg: quantity?.mmHg,
    number: quantity?.value ?? (typeof value.valueInteger === 'number' ? value.valueInteger : undefined),
    quantity: quantity
      ? {
          value: quantity.value,
          unit: quantity.unit,
          ...(quantity.comparator ? { comparator: quantity.comparator } : {}),
        }
      : undefined,
  };
}

function observationItem(observation: Observation, coder: Coder, dates: RecordDates): ObservationItem {
  const components = objects<ObservationComponent>(observation.component).map((component) =>
    measurement(component.code, coder.valueSets(component.code), component)
  );
  return {
    reference: refOf(observation),
    suspected: false,
    day: dates.effectiveDay(observation),
    ...measurement(observation.code, coder.valueSets(observation.code, observation.valueCodeableConcept), observation),
    components,
  };
}

function medicationItem(
  resource: MedicationStatement | MedicationRequest,
  coder: Coder,
  dates: RecordDates,
  notes: DataNote[]
): MedicationItem {
  const use = medicationUse(resource, dates);
  const reference = refOf(resource);
  const systems = new Set(
    codings(use.code)
      .map((coding) => (typeof coding.system === 'string' ? normaliseSystem(coding.system) : undefined))
      .filter((system): system is string => system !== undefined)
  );
  const names = [...new Set([use.code?.text, ...codings(use.code).map((coding) => coding.display)])].filter(
    (name): name is string => typeof name === 'string' && name.trim() !== ''
  );
  const atcCoded = systems.has(CODE_SYSTEMS.atc);
  if (use.code === undefined) {
    notes.push({ code: 'medication-unresolved', reference, detail: { issue: 'medication-not-coded' } });
  } else if (!atcCoded && names.length === 0) {
    // A G-Standaard or SNOMED product code alone cannot be placed without the drug database.
    notes.push({ code: 'medication-unresolved', reference, detail: { issue: 'medication-unnamed' } });
  }
  return {
    reference,
    display: displayOf(use.code),
    valueSets: coder.valueSets(use.code),
    atcCoded,
    names,
    routeValueSets: coder.valueSets(...use.routes),
    routeTexts: use.routeTexts,
    suspected: false,
    status: typeof resource.status === 'string' ? resource.status : 'unknown',
    startDay: use.startDay,
    endDay: use.endDay,
  };
}

/**
 * The free texts of a resource, dated by the resource's day unless a text has its own time (a note's
 * Annotation.time), read in the EHR's local day like every other date.
 */
function texts(
  resource: Json,
  fields: readonly (readonly [string, string | undefined, string?])[],
  resourceDay: DayNumber | undefined,
  current: boolean,
  dates: RecordDates
): RecordText[] {
  const reference = refOf(resource as unknown as Resource);
  return fields
    .filter(
      (entry): entry is readonly [string, string, string?] => typeof entry[1] === 'string' && entry[1].trim() !== ''
    )
    .map(([field, text, time]) => {
      const day = (time === undefined ? undefined : dates.day(time)) ?? resourceDay;
      const date = day === undefined ? undefined : isoDay(day);
      return { source: { reference, field, text, ...(date ? { date } : {}) }, day, current };
    });
}

/** A measurement the rules could not place: its code, words and value, for the GP to find it in the chart. */
function notUnderstood(
  concept: CodeableConcept | undefined,
  item: ObservationMeasurement,
  reference: string,
  day: DayNumber | undefined
): DataNote {
  const code = codings(concept).find((c) => c.code)?.code;
  return {
    code: 'measurement-not-understood',
    reference,
    detail: { issue: 'measurement-not-understood', ...(code ? { code } : {}) },
    ...(item.display ? { text: item.display } : {}),
    ...(item.quantity ? { value: `${item.quantity.value} ${item.quantity.unit}`.trim() } : {}),
    ...(day === undefined ? {} : { date: isoDay(day) }),
  };
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
  /** The EHR's time zone (rules/ruleset.json `records.timeZone`): "today" and dateTimes are its calendar days. */
  readonly timeZone: string;
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
  const today = localDayOf(input.now, input.timeZone);
  const dates = new RecordDates(today, input.timeZone);
  const coder = new Coder(terminology);
  const notes: DataNote[] = gathered.problems.map((problem: DataProblem) => ({
    code: 'data-not-obtained',
    detail: { issue: problem.reason, resourceType: problem.resourceType, ...problem.figures },
  }));
  const recordTexts: RecordText[] = [];

  const rawConditions = resourcesOf<Condition>(gathered, 'conditions', 'Condition').filter((condition) => {
    const verification = statusCode(condition.verificationStatus);
    return verification !== 'entered-in-error' && verification !== 'refuted';
  });
  const birthDay = toDay(gathered.patient.birthDate);
  const readConditions = rawConditions.map((condition) => conditionItem(condition, coder, dates, birthDay));
  const { dropped: contradicted, unclear } = findContradictions(rawConditions, readConditions);
  const allConditionItems = readConditions.map((item, index) =>
    unclear.has(index) ? { ...item, statusUnclear: true } : item
  );
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
        detail: { issue: 'no-usable-code' },
      });
    }
    const fields = [['code.text', condition.code?.text] as const, ...noteTexts(condition as unknown as Json)];
    recordTexts.push(...texts(condition as unknown as Json, fields, item.day, item.current, dates));
  });

  const observations = resourcesOf<Observation>(gathered, 'observations', 'Observation')
    .filter((observation) => !isEnteredInError(observation.status) && observation.status !== 'cancelled')
    .map((observation) => {
      const item = observationItem(observation, coder, dates);
      if (!hasUsableCode(observation.code)) {
        // Its value cannot be attributed to anything (a temperature? a weight?), so the GP is told it was ignored.
        notes.push({
          code: 'unreadable-code',
          reference: item.reference,
          detail: { issue: 'no-usable-code' },
        });
      } else {
        // A vital sign under a local code (SC-06, RW-02), as the Observation's value or a panel component: present
        // but not understood, so it is named, not ignored.
        const measured = [observation, ...objects<ObservationComponent>(observation.component)];
        [item, ...item.components].forEach((value, k) => {
          if (value.valueSets.size === 0 && (value.celsius !== undefined || value.kg !== undefined)) {
            notes.push(notUnderstood(measured[k]?.code, value, item.reference, item.day));
          }
        });
      }
      const fields = [['valueString', observation.valueString] as const, ...noteTexts(observation as unknown as Json)];
      recordTexts.push(...texts(observation as unknown as Json, fields, item.day, true, dates));
      return item;
    });

  const medications = [
    ...resourcesOf<MedicationStatement>(gathered, 'medicationStatements', 'MedicationStatement'),
    ...resourcesOf<MedicationRequest>(gathered, 'medicationRequests', 'MedicationRequest'),
  ]
    .filter((resource) => !isEnteredInError(resource.status))
    .map((resource) => {
      const item = medicationItem(resource, coder, dates, notes);
      recordTexts.push(...texts(resource as unknown as Json, medicationTexts(resource), item.startDay, true, dates));
      return item;
    });

  const procedures = resourcesOf<Procedure>(gathered, 'procedures', 'Procedure')
    .filter((procedure) => !isEnteredInError(procedure.status))
    .map((procedure): ProcedureItem => {
      const day = dates.day(procedure.performedDateTime) ?? dates.periodDay(procedure.performedPeriod);
      const procedureTexts = [
        procedure.code?.text,
        ...(procedure.bodySite ?? []).map((site) => site.text ?? displayOf(site)),
      ]
        .concat(codings(procedure.code).map((coding) => coding.display))
        .filter((text): text is string => typeof text === 'string' && text.trim() !== '');
      recordTexts.push(...texts(procedure as unknown as Json, procedureFreeTexts(procedure), day, true, dates));
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
    const json = order as unknown as Json;
    const code = typeof json.code === 'object' && json.code !== null ? (json.code as CodeableConcept) : undefined;
    const reasonCodes = objects<CodeableConcept>(json.reasonCode);
    const reference = refOf(order);
    return {
      reference,
      display: displayOf(code),
      valueSets: coder.valueSets(code),
      suspected: false,
      reasonValueSets: coder.valueSets(...reasonCodes),
      reasonReferences: objects<{ reference?: unknown }>(json.reasonReference)
        .map((r) => r.reference)
        .filter((r): r is string => typeof r === 'string' && r !== ''),
      texts: [
        code?.text,
        ...codings(code).map((coding) => coding.display),
        ...reasonCodes.map((r) => r.text),
        ...notesOf(json),
      ].filter((text): text is string => typeof text === 'string' && text.trim() !== ''),
      selected: selections.size === 0 || selections.has(reference),
    };
  });

  // RW-08: the words of draft orders (dated today) and of questionnaire answers are free text like any note.
  for (const order of input.draftOrders ?? []) {
    recordTexts.push(...texts(order as unknown as Json, orderTexts(order), today, true, dates));
  }
  const questionnaireResponses = resourcesOf<QuestionnaireResponse>(
    gathered,
    'questionnaireResponses',
    'QuestionnaireResponse'
  ).filter((response) => !isEnteredInError(response.status));
  for (const response of questionnaireResponses) {
    const day = toDay(response.authored);
    recordTexts.push(...texts(response as unknown as Json, questionnaireTexts(response), day, true, dates));
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
