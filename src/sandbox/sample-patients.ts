import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateAge, formatCodeableConcept, formatHumanName } from '@medplum/core';
import type {
  Bundle,
  CodeableConcept,
  Condition,
  Patient,
  Procedure,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { calendarDaysBetween, shiftResourceDates } from './date-shift';

/**
 * The sample patients of fhir-resources/sample-patients: one `collection` Bundle per patient, dated relative to
 * its `timestamp`. Loading moves every date to `now` (date-shift.ts), and describes each patient in one line
 * for the sandbox page's patient picker.
 */

/** A sample patient as the sandbox page lists it. */
export type SummaryLanguage = 'nl' | 'fr' | 'en';

export interface SamplePatient {
  id: string;
  /** Given and family name, e.g. "Marco van Dijk". */
  name: string;
  gender?: string;
  /** After the date shift. */
  birthDate?: string;
  /** One line from the Bundle's resources: age, sex, town, active problems with their duration, history. */
  summary: string;
  /** The same line in each language of the sandbox page (the record's own texts stay as recorded). */
  summaries: Record<SummaryLanguage, string>;
  /** The draft ServiceRequests of the Bundle (for order-select / order-sign). */
  orders: { id: string; display: string }[];
}

export interface LoadedSample {
  /** The file name, e.g. `fever.json`. */
  readonly file: string;
  /** Calendar days every date was moved by (now − Bundle.timestamp). */
  readonly shiftDays: number;
  /** The Bundle with its dates shifted. */
  readonly bundle: Bundle;
}

/**
 * Reads every `*.json` Bundle of a directory (other files, such as README.md, are skipped) and shifts its
 * dates from its `timestamp` to `now`.
 * @param dir - the sample-patients directory
 * @param now - the server's today
 * @returns the Bundles in file-name order
 * @throws Error naming the file when one is not a Bundle with a valid timestamp
 */
export async function loadSampleBundles(dir: string, now: Date): Promise<LoadedSample[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const json = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Partial<Bundle>;
      if (json.resourceType !== 'Bundle') {
        throw new Error(`${file}: not a FHIR Bundle`);
      }
      const reference = new Date(json.timestamp ?? Number.NaN);
      if (Number.isNaN(reference.getTime())) {
        throw new Error(`${file}: Bundle.timestamp (the reference date of its dates) is missing or invalid`);
      }
      const shiftDays = calendarDaysBetween(reference, now);
      return { file, shiftDays, bundle: shiftResourceDates(json as Bundle, shiftDays) };
    })
  );
}

/** The resources of a Bundle. */
export function resourcesOf(bundle: Bundle): Resource[] {
  return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
}

const DAY_MS = 86_400_000;

/** The calendar day of a FHIR date/dateTime as written (partial dates count from their first day). */
function dayOf(value: string): number | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value);
  if (!match) {
    return undefined;
  }
  return Math.floor(Date.UTC(Number(match[1]), Number(match[2] ?? '1') - 1, Number(match[3] ?? '1')) / DAY_MS);
}

/** "10 d", "3 wk", "8 mo", "22 y": how long ago a date was, in the unit a clinician would use. */
function durationSince(value: string | undefined, now: Date, words: SummaryWords): string | undefined {
  const start = value === undefined ? undefined : dayOf(value);
  if (start === undefined) {
    return undefined;
  }
  const days = Math.floor(now.getTime() / DAY_MS) - start;
  if (days < 0) {
    return undefined;
  }
  if (days < 14) {
    return `${days} ${words.d}`;
  }
  if (days < 70) {
    return `${Math.floor(days / 7)} ${words.wk}`;
  }
  const months = Math.floor(days / 30.44);
  return months < 24 ? `${months} ${words.mo}` : `${Math.floor(days / 365.25)} ${words.y}`;
}

/** The words of a patient summary in each language of the page. */
interface SummaryWords {
  readonly d: string;
  readonly wk: string;
  readonly mo: string;
  readonly y: string;
  readonly active: string;
  readonly history: string;
  /** ": ", in French " : ". */
  readonly colon: string;
  readonly gender: Readonly<Record<string, string>>;
}

const SUMMARY_WORDS: Readonly<Record<SummaryLanguage, SummaryWords>> = {
  nl: {
    d: 'd',
    wk: 'wk',
    mo: 'mnd',
    y: 'jr',
    active: 'Actueel',
    history: 'Voorgeschiedenis',
    colon: ': ',
    gender: { female: 'vrouw', male: 'man', other: 'anders', unknown: 'geslacht onbekend' },
  },
  fr: {
    d: 'j',
    wk: 'sem.',
    mo: 'mois',
    y: 'ans',
    active: 'Actuel',
    history: 'Antécédents',
    colon: ' : ',
    gender: { female: 'femme', male: 'homme', other: 'autre', unknown: 'sexe inconnu' },
  },
  en: {
    d: 'd',
    wk: 'wk',
    mo: 'mo',
    y: 'y',
    active: 'Active',
    history: 'History',
    colon: ': ',
    gender: { female: 'female', male: 'male', other: 'other', unknown: 'unknown' },
  },
};

const text = (concept: CodeableConcept | undefined): string => concept?.text ?? formatCodeableConcept(concept);

const ACTIVE = new Set(['active', 'recurrence', 'relapse']);

function conditionStatus(condition: Condition): string | undefined {
  return condition.clinicalStatus?.coding?.find((coding) => coding.code !== undefined)?.code;
}

function yearOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : /^\d{4}/.exec(value)?.[0];
}

function summarize(patient: Patient, resources: readonly Resource[], now: Date, words: SummaryWords): string {
  const today = now.toISOString().slice(0, 10);
  const about: string[] = [];
  if (patient.birthDate !== undefined && dayOf(patient.birthDate) !== undefined) {
    about.push(`${calculateAge(patient.birthDate, today).years} ${words.y}`);
  }
  if (patient.gender !== undefined) {
    about.push(words.gender[patient.gender] ?? patient.gender);
  }
  const city = patient.address?.find((address) => address.city !== undefined)?.city;
  if (city !== undefined) {
    about.push(city);
  }
  const conditions = resources.filter((resource): resource is Condition => resource.resourceType === 'Condition');
  const active = conditions
    .filter((condition) => ACTIVE.has(conditionStatus(condition) ?? ''))
    .map((condition) => {
      const since = durationSince(condition.onsetDateTime ?? condition.onsetPeriod?.start, now, words);
      return since === undefined ? text(condition.code) : `${text(condition.code)} (${since})`;
    });
  const past = [
    ...conditions
      .filter((condition) => !ACTIVE.has(conditionStatus(condition) ?? 'active'))
      .map((condition) => ({
        label: text(condition.code),
        year: yearOf(condition.onsetDateTime ?? condition.onsetPeriod?.start),
      })),
    ...resources
      .filter((resource): resource is Procedure => resource.resourceType === 'Procedure')
      .map((procedure) => ({
        label: text(procedure.code),
        year: yearOf(procedure.performedDateTime ?? procedure.performedPeriod?.start),
      })),
  ].map(({ label, year }) => (year === undefined ? label : `${label} (${year})`));
  const parts = [about.join(', ')];
  if (active.length > 0) {
    parts.push(`${words.active}${words.colon}${active.join('; ')}`);
  }
  if (past.length > 0) {
    parts.push(`${words.history}${words.colon}${past.join('; ')}`);
  }
  return `${parts.filter((part) => part.length > 0).join('. ')}.`;
}

/**
 * Describes the patient of one (shifted) sample Bundle.
 * @param bundle - a sample Bundle after the date shift
 * @param now - the day ages and durations are counted to
 * @returns undefined when the Bundle holds no Patient with an id
 */
export function describeSamplePatient(bundle: Bundle, now: Date): SamplePatient | undefined {
  const resources = resourcesOf(bundle);
  const patient = resources.find((resource): resource is Patient => resource.resourceType === 'Patient');
  if (patient?.id === undefined) {
    return undefined;
  }
  const name = patient.name?.find((candidate) => candidate.use === 'official') ?? patient.name?.[0];
  const orders = resources
    .filter(
      (resource): resource is ServiceRequest & { id: string } =>
        resource.resourceType === 'ServiceRequest' && resource.status === 'draft' && resource.id !== undefined
    )
    .map((order) => ({ id: order.id, display: text(order.code) || order.id }));
  return {
    id: patient.id,
    name: formatHumanName(name) || patient.id,
    ...(patient.gender === undefined ? {} : { gender: patient.gender }),
    ...(patient.birthDate === undefined ? {} : { birthDate: patient.birthDate }),
    summary: summarize(patient, resources, now, SUMMARY_WORDS.en),
    summaries: {
      nl: summarize(patient, resources, now, SUMMARY_WORDS.nl),
      fr: summarize(patient, resources, now, SUMMARY_WORDS.fr),
      en: summarize(patient, resources, now, SUMMARY_WORDS.en),
    },
    orders,
  };
}
