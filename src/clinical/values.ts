import type { Observation, Quantity } from '@medplum/fhirtypes';

/**
 * Observation values as EHRs really send them (docs/clinical-specification.md RW-03): a `valueQuantity` with a UCUM
 * or a common non-UCUM unit, with or without a comparator, or a `valueString` such as "38,5", "38.5 C",
 * "38,5 graden", "> 38" or "72,4 kg". Quantities are converted to °C, kg and mmHg; a unit that is not
 * understood converts to nothing, so the fact that needs it reports the measurement instead of using it.
 */

/** A value known only as a bound: `>38` is above 38, `<=35` at most 35. */
export type Comparator = '<' | '<=' | '>=' | '>';

export interface ConvertedQuantity {
  readonly celsius?: number;
  readonly kg?: number;
  readonly mmHg?: number;
}

export interface ObservationValue extends ConvertedQuantity {
  readonly value: number;
  /** The unit as recorded ("" when the value has none). */
  readonly unit: string;
  readonly comparator?: Comparator;
  readonly from: 'valueQuantity' | 'valueString';
}

/** Unit spellings in lower case: UCUM codes, their print symbols, and the words Dutch/English records use. */
const CELSIUS = new Set([
  'cel',
  '°c',
  'ºc',
  '° c',
  'c',
  'degc',
  'celsius',
  'graden celsius',
  'graden c',
  'gr c',
  'graden',
  'gr',
  '°',
]);
const FAHRENHEIT = new Set(['[degf]', '°f', 'ºf', '° f', 'f', 'degf', 'fahrenheit', 'graden fahrenheit']);
const KILOGRAM = new Set(['kg', 'kgs', 'kilogram', 'kilograms', 'kilo', "kilo's", 'kilos']);
const POUND = new Set(['[lb_av]', 'lb', 'lbs', 'pound', 'pounds']);
const GRAM = new Set(['g', 'gr.', 'gram', 'grams']);
const MMHG = new Set(['mm[hg]', 'mmhg', 'mm hg']);

/** KG per avoirdupois pound, as RF-04 states it. */
const KG_PER_POUND = 0.4536;

const normaliseUnit = (unit: string): string =>
  unit
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\.$/, (dot) => (unit.trim().toLowerCase() === 'gr.' ? dot : ''));

/** The quantity in the unit the rules use; undefined when the unit is not understood. */
export function convertQuantity(value: number, unit: string): ConvertedQuantity | undefined {
  const u = normaliseUnit(unit);
  if (CELSIUS.has(u)) {
    return { celsius: value };
  }
  if (FAHRENHEIT.has(u)) {
    return { celsius: ((value - 32) * 5) / 9 };
  }
  if (KILOGRAM.has(u)) {
    return { kg: value };
  }
  if (POUND.has(u)) {
    return { kg: value * KG_PER_POUND };
  }
  if (GRAM.has(u)) {
    return { kg: value / 1000 };
  }
  if (MMHG.has(u)) {
    return { mmHg: value };
  }
  return undefined;
}

const COMPARATORS: Readonly<Record<string, Comparator>> = {
  '<': '<',
  '<=': '<=',
  '>=': '>=',
  '>': '>',
  '≤': '<=',
  '≥': '>=',
};

/** Reads a valueQuantity: the UCUM code first, then the printed unit. */
export function readQuantity(quantity: Quantity | undefined): ObservationValue | undefined {
  if (typeof quantity?.value !== 'number' || !Number.isFinite(quantity.value)) {
    return undefined;
  }
  const code = typeof quantity.code === 'string' ? quantity.code : undefined;
  const printed = typeof quantity.unit === 'string' ? quantity.unit : undefined;
  const converted =
    (code === undefined ? undefined : convertQuantity(quantity.value, code)) ??
    (printed === undefined ? undefined : convertQuantity(quantity.value, printed));
  const comparator = typeof quantity.comparator === 'string' ? COMPARATORS[quantity.comparator] : undefined;
  return {
    value: quantity.value,
    unit: printed ?? code ?? '',
    ...(comparator ? { comparator } : {}),
    ...converted,
    from: 'valueQuantity',
  };
}

/** "> 38,5 °C", "38.5 C", "38,5 graden", "72 kg": an optional comparator, a number with comma or point, a unit. */
const VALUE_STRING = /^\s*(<=|>=|<|>|≤|≥)?\s*([+-]?\d+(?:[.,]\d+)?)\s*([^\d\s][^\d]*?)?\s*$/;

/** Reads a valueString that holds one number with an optional comparator and unit; anything else is text. */
export function readValueString(text: string | undefined): ObservationValue | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const match = VALUE_STRING.exec(text);
  if (!match) {
    return undefined;
  }
  const value = Number((match[2] as string).replace(',', '.'));
  const unit = match[3] ?? '';
  const comparator = match[1] === undefined ? undefined : COMPARATORS[match[1]];
  return {
    value,
    unit,
    ...(comparator ? { comparator } : {}),
    ...convertQuantity(value, unit),
    from: 'valueString',
  };
}

/**
 * The measured value of an Observation or of one of its components: its valueQuantity, else a number written in
 * its valueString.
 */
export function observationValue(
  observation: Pick<Observation, 'valueQuantity' | 'valueString'>
): ObservationValue | undefined {
  return readQuantity(observation.valueQuantity) ?? readValueString(observation.valueString);
}
