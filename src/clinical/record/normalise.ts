import type {
  MedicationRequest,
  MedicationStatement,
  Observation,
  Procedure,
  QuestionnaireResponse,
  Resource,
} from '@medplum/fhirtypes';
import { localDayOf, toDay } from '../dates';
import type { GatheredRecord } from '../gathered-record';
import type { Terminology } from '../knowledge/terminology';
import { RecordDates } from '../record-dates';
import { Coder } from './codes';
import { readConditions } from './conditions';
import { readMedication } from './medications';
import { readObservation } from './observations';
import { readOrder } from './orders';
import { readProcedure } from './procedures';
import { readQuestionnaireResponse } from './questionnaires';
import type { ReadContext, Reading } from './reading';
import { readEach } from './reading';
import type { ClinicalRecord, DataNote, RecordText } from './types';

/**
 * The patient record as the rules see it (docs/clinical-specification.md §2 "General data rules"): resources that
 * are entered-in-error or refuted are gone, unconfirmed diagnoses are kept and marked suspected, each
 * concept's latest record wins over older contradicting ones, quantities are in °C, kg and mmHg, and
 * every code carries the value sets it belongs to, computed once here. Each resource kind has its reader in this
 * folder; each resource is read alone, so one that cannot be read becomes a data note and costs nothing else.
 */

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
 * The gathered resources of one type, whatever key they came under, each once: a Condition a client put in
 * another search's bundle still counts, and one sent twice is read once.
 */
function resourcesOf<T extends Resource>(record: GatheredRecord, type: T['resourceType']): T[] {
  const seen = new Set<string>();
  const found: T[] = [];
  for (const entry of Object.values(record.data)) {
    for (const resource of entry?.resources ?? []) {
      if (resource.resourceType !== type) {
        continue;
      }
      const id = `${type}/${typeof resource.id === 'string' ? resource.id : ''}`;
      if (typeof resource.id === 'string' && seen.has(id)) {
        continue;
      }
      seen.add(id);
      found.push(resource as T);
    }
  }
  return found;
}

/** The items of readings, and their texts and notes added to the record's. */
function collect<T>(readings: readonly Reading<T>[], into: { texts: RecordText[]; notes: DataNote[] }): T[] {
  for (const reading of readings) {
    into.texts.push(...reading.texts);
    into.notes.push(...reading.notes);
  }
  return readings.map((reading) => reading.item);
}

/**
 * Builds the ClinicalRecord from the gathered FHIR data.
 * @param input - gathered record, terminology, evaluation instant and draft orders
 */
export function normaliseRecord(input: NormaliseInput): ClinicalRecord {
  const { gathered } = input;
  const today = localDayOf(input.now, input.timeZone);
  const birthDay = toDay(gathered.patient.birthDate);
  const context: ReadContext = {
    coder: new Coder(input.terminology),
    dates: new RecordDates(today, input.timeZone),
    today,
    birthDay,
  };
  // What could not be obtained or read comes first, as gathering reported it.
  const unreadable: DataNote[] = gathered.problems.map((problem) => ({
    code: 'data-not-obtained',
    detail: { issue: problem.reason, resourceType: problem.resourceType, ...problem.figures },
  }));
  const found = { texts: [] as RecordText[], notes: [] as DataNote[] };
  const read = <R extends Resource, T>(resources: readonly R[], reader: (resource: R) => Reading<T> | undefined) =>
    collect(readEach(resources, reader, unreadable), found);

  const conditions = collect(readConditions(resourcesOf(gathered, 'Condition'), context, unreadable), found);
  const observations = read(resourcesOf<Observation>(gathered, 'Observation'), (r) => readObservation(r, context));
  const medications = read(
    [
      ...resourcesOf<MedicationStatement>(gathered, 'MedicationStatement'),
      ...resourcesOf<MedicationRequest>(gathered, 'MedicationRequest'),
    ],
    (resource) => readMedication(resource, context)
  );
  const procedures = read(resourcesOf<Procedure>(gathered, 'Procedure'), (r) => readProcedure(r, context));
  const selections = new Set(input.selections ?? []);
  const orders = read(input.draftOrders ?? [], (order) => readOrder(order, selections, context));
  const questionnaireResponses = read(resourcesOf<QuestionnaireResponse>(gathered, 'QuestionnaireResponse'), (r) =>
    readQuestionnaireResponse(r, context)
  );

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
    texts: found.texts,
    notes: [...unreadable, ...found.notes],
  };
}
