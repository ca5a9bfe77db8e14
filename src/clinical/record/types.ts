import type { Patient } from '@medplum/fhirtypes';
import type { DayNumber } from '../dates';
import type { DataDetail } from '../finding';
import type { TextSource } from '../text-match';
import type { Comparator } from '../values';
import type { DataNoteCode } from '../vocabulary';

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

/** A QuestionnaireResponse, with the answers the rules score (YF-02, STarT Back). */
export interface QuestionnaireItem {
  /** `QuestionnaireResponse/qr1` */
  readonly reference: string;
  /** The Questionnaire's canonical URL, without its version. */
  readonly questionnaire?: string;
  readonly status: string;
  /** The day it was authored. */
  readonly day?: DayNumber;
  /** The first answer of each question, nested questions included, in the order of the response. */
  readonly answers: readonly QuestionnaireAnswer[];
}

/** The first answer to one question of a QuestionnaireResponse: the code of a coded answer, or a yes/no. */
export interface QuestionnaireAnswer {
  readonly linkId: string;
  readonly code?: string;
  readonly boolean?: boolean;
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
  readonly questionnaireResponses: readonly QuestionnaireItem[];
  readonly orders: readonly OrderItem[];
  readonly texts: readonly RecordText[];
  readonly notes: readonly DataNote[];
}
