import type { MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, normaliseSystem } from '../knowledge/terminology';
import { medicationUse } from '../medication-use';
import { medicationTexts } from '../text/record-texts';
import { codings, displayOf, isEnteredInError, refOf } from './codes';
import type { ReadContext, Reading } from './reading';
import { textsOf } from './reading';
import type { DataNote, MedicationItem } from './types';

/**
 * MedicationStatements and MedicationRequests: what was used when (medication-use.ts), by its ATC code when it has
 * one and by its names otherwise, with the routes that tell systemic from local use (RW-05).
 */

/**
 * One medication; undefined when entered in error.
 * @param resource - a MedicationStatement or MedicationRequest as gathered
 * @param context - coder and calendar
 */
export function readMedication(
  resource: MedicationStatement | MedicationRequest,
  context: ReadContext
): Reading<MedicationItem> | undefined {
  if (isEnteredInError(resource.status)) {
    return undefined;
  }
  const { coder, dates } = context;
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
  const notes: DataNote[] = [];
  if (use.code === undefined) {
    notes.push({ code: 'medication-unresolved', reference, detail: { issue: 'medication-not-coded' } });
  } else if (!atcCoded && names.length === 0) {
    // A G-Standaard or SNOMED product code alone cannot be placed without the drug database.
    notes.push({ code: 'medication-unresolved', reference, detail: { issue: 'medication-unnamed' } });
  }
  const item: MedicationItem = {
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
  return { item, notes, texts: textsOf(resource, medicationTexts(resource), item.startDay, true, dates) };
}
