import type { Resource } from '@medplum/fhirtypes';
import type { TextSource } from './matcher';

/**
 * Where free text lives in a record (RW-08): the fields of each resource type that a GP or a questionnaire fills
 * with words. Returns [field, text] pairs with the field as a FHIRPath-like name, so evidence says where it came from.
 * Condition code.text/note and Observation valueString/note are read by record.ts itself.
 */

type Json = Record<string, unknown>;
/** A text and where it was found; a note also carries its own time (Annotation.time) when the record gives one. */
export type TextField = readonly [field: string, text: string, time?: string];

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : [];
}

/**
 * The notes of a resource, each with its own time: a journal line added today to an episode that began in June is
 * today's, not June's (a fever "since yesterday" in it must fall inside RF-03's 7 days).
 */
export function noteTexts(resource: Json): TextField[] {
  return list(resource.note).flatMap((note): TextField[] =>
    isText(note.text) ? [typeof note.time === 'string' ? ['note', note.text, note.time] : ['note', note.text]] : []
  );
}

function conceptTexts(value: unknown, field: string): TextField[] {
  return list(Array.isArray(value) ? value : [value])
    .map((concept) => concept.text)
    .filter(isText)
    .map((text) => [field, text] as const);
}

/** Procedure code.text and note. */
export function procedureTexts(procedure: Resource): TextField[] {
  const json = procedure as unknown as Json;
  return [...conceptTexts(json.code, 'code.text'), ...noteTexts(json)];
}

/** MedicationStatement / MedicationRequest note. */
export function medicationTexts(medication: Resource): TextField[] {
  return noteTexts(medication as unknown as Json);
}

/** A draft order (ServiceRequest of order-select/order-sign): reasonCode.text, orderDetail.text and note. */
export function orderTexts(order: Resource): TextField[] {
  const json = order as unknown as Json;
  return [
    ...conceptTexts(json.reasonCode, 'reasonCode.text'),
    ...conceptTexts(json.orderDetail, 'orderDetail.text'),
    ...noteTexts(json),
  ];
}

/** Free-text answers (valueString) of a QuestionnaireResponse, nested items included, labelled by linkId. */
export function questionnaireTexts(response: Resource): TextField[] {
  const found: TextField[] = [];
  const walk = (items: Json[], depth: number) => {
    // Real responses nest a few levels; a bound keeps a hostile payload from recursing deeply.
    if (depth > 20) {
      return;
    }
    for (const item of items) {
      const linkId = typeof item.linkId === 'string' ? item.linkId : '?';
      for (const answer of list(item.answer)) {
        if (isText(answer.valueString)) {
          found.push([`item[${linkId}].answer.valueString`, answer.valueString]);
        }
        walk(list(answer.item), depth + 1);
      }
      walk(list(item.item), depth + 1);
    }
  };
  walk(list((response as unknown as Json).item), 0);
  return found;
}

/** The texts of one resource, by reference, built once per record (facts look texts up per resource). */
const byReference = new WeakMap<object, Map<string, TextSource[]>>();

export function textsOfResource(
  record: { readonly texts: readonly { readonly source: TextSource }[] },
  reference: string
): readonly TextSource[] {
  let index = byReference.get(record);
  if (index === undefined) {
    index = new Map();
    for (const { source } of record.texts) {
      const sources = index.get(source.reference);
      if (sources === undefined) {
        index.set(source.reference, [source]);
      } else {
        sources.push(source);
      }
    }
    byReference.set(record, index);
  }
  return index.get(reference) ?? [];
}
