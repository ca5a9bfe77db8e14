import type { CarePlan, ServiceRequest } from '@medplum/fhirtypes';
import type { DayNumber } from '../clinical/dates';
import { isoDay, toDay } from '../clinical/dates';
import type { FactKnowledge } from '../clinical/facts/context';
import type { Terminology } from '../clinical/knowledge/terminology';
import type { GatheredRecord } from '../clinical/gathered-record';

/**
 * Whether an exercise programme already runs for the patient, so that no second one is proposed at every chart
 * opening: a draft or active CarePlan from our PlanDefinition, or a physiotherapy referral (a ServiceRequest
 * that is no longer a draft) ordered in the current episode. Read from the prefetch keys of MEMORY_KEYS, which
 * are not clinical data: when they cannot be read the recommendation is shown (the safe side of a duplicate).
 */

/** The prefetch keys this module reads (see CLINICAL_PREFETCH). */
export const MEMORY_KEYS = ['carePlans', 'serviceRequests'] as const;

export interface ProgrammeMemorySettings {
  /** `url` of our PlanDefinition (without version). */
  readonly planUrl: string;
  readonly physiotherapyValueSet: string;
  readonly physiotherapyKeywords: string;
}

const REFERRAL_STATUSES = new Set(['active', 'on-hold', 'completed']);

function carePlanDay(plan: CarePlan): DayNumber | undefined {
  return toDay(plan.created) ?? toDay(plan.period?.start) ?? toDay(plan.meta?.lastUpdated);
}

/** A ServiceRequest for physiotherapy, by code or by the words of its code. */
export function isPhysiotherapy(
  request: ServiceRequest,
  settings: ProgrammeMemorySettings,
  terminology: Terminology,
  facts: FactKnowledge
): boolean {
  const url = facts.valueSetUrl(settings.physiotherapyValueSet);
  if ((request.code?.coding ?? []).some((coding) => terminology.contains(url, coding))) {
    return true;
  }
  const texts = [request.code?.text, ...(request.code?.coding ?? []).map((coding) => coding.display)].filter(
    (text): text is string => typeof text === 'string' && text.trim() !== ''
  );
  const reference = `ServiceRequest/${request.id ?? ''}`;
  return facts
    .keywords(settings.physiotherapyKeywords)
    .matchesAny(texts.map((text, index) => ({ reference, field: `code${index}`, text })));
}

/** A programme one memory resource shows, with its day when known. */
interface Shown {
  readonly day: DayNumber | undefined;
}

/**
 * What one resource shows, read alone: a CarePlan or ServiceRequest that cannot be read (a field of the wrong
 * type) shows no programme, so the recommendation is shown, the safe side of a duplicate.
 */
function readAlone<T>(resource: T, read: (resource: T) => Shown | undefined): Shown | undefined {
  try {
    return read(resource);
  } catch {
    return undefined;
  }
}

/**
 * @returns the ISO date since when a programme runs ('' when its date is unknown), or undefined when none does
 */
export function programmeSince(
  gathered: GatheredRecord,
  episodeStart: DayNumber | undefined,
  settings: ProgrammeMemorySettings,
  terminology: Terminology,
  facts: FactKnowledge
): string | undefined {
  const of = <T>(key: (typeof MEMORY_KEYS)[number], type: string) =>
    (gathered.data[key]?.resources ?? []).filter((resource) => resource.resourceType === type) as unknown as T[];
  const plan = (candidate: CarePlan): Shown | undefined =>
    (candidate.status === 'draft' || candidate.status === 'active') &&
    (candidate.instantiatesCanonical ?? []).some((canonical) => canonical.split('|')[0] === settings.planUrl)
      ? { day: carePlanDay(candidate) }
      : undefined;
  const referral = (request: ServiceRequest): Shown | undefined => {
    const day = toDay(request.authoredOn);
    return REFERRAL_STATUSES.has(request.status) &&
      episodeStart !== undefined &&
      day !== undefined &&
      day >= episodeStart &&
      isPhysiotherapy(request, settings, terminology, facts)
      ? { day }
      : undefined;
  };
  const shown = [
    ...of<CarePlan>('carePlans', 'CarePlan').map((candidate) => readAlone(candidate, plan)),
    ...of<ServiceRequest>('serviceRequests', 'ServiceRequest').map((request) => readAlone(request, referral)),
  ].filter((item): item is Shown => item !== undefined);
  if (shown.length === 0) {
    return undefined;
  }
  const days = shown.map((item) => item.day).filter((day): day is DayNumber => day !== undefined);
  return days.length > 0 ? isoDay(Math.min(...days)) : '';
}
