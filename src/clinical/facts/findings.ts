import { z } from 'zod';
import type { Window } from '../dates';
import { isWithin } from '../dates';
import { getOrAdd } from '../get-or-add';
import type { Evidence } from '../finding';
import type { ClinicalRecord, ConditionItem, ObservationItem, RecordText } from '../record';
import type { FactContext, FactDefinition } from './context';
import { codedEvidence, keywordListName, valueSetId, windowSchema } from './context';
import type { TextSource } from '../text-match';
import { isCurrentMention, mentionEvidence, mentionInWindow } from '../text-match';
import { textsOfResource } from '../text/record-texts';

/**
 * Facts that look for something recorded: a coded finding, a keyword in free text, a procedure, or the
 * reason of a draft order. A record without a date passes a time window: an undated finding cannot be
 * shown to be old, and missing a red flag is worse than an extra warning (docs/clinical-specification.md §2).
 */

export interface PresenceFact {
  readonly present: boolean;
  /** Every supporting record is an unconfirmed/provisional/differential diagnosis. */
  readonly suspected: boolean;
  readonly evidence: readonly Evidence[];
}

const presence = (evidence: Evidence[]): PresenceFact => ({
  present: evidence.length > 0,
  suspected: evidence.length > 0 && evidence.every((item) => item.suspected === true),
  evidence,
});

const inWindow = (day: number | undefined, today: number, window: Window | undefined) =>
  window === undefined || day === undefined || isWithin(day, today, window);

/** Days of everything in the record that belongs to a value set (for "unless followed by"). */
function daysOf(record: ClinicalRecord, url: string): number[] {
  return [...record.conditions, ...record.observations, ...record.procedures]
    .filter((item) => item.valueSets.has(url) && item.day !== undefined)
    .map((item) => item.day as number);
}

const findingParams = z.strictObject({
  valueSet: valueSetId,
  /** `current`: an active problem (Conditions) — `any`: history counts too. */
  status: z.enum(['current', 'any']),
  /** The onset or the recorded date of a Condition, the effective date of an Observation, within this window. */
  within: windowSchema.optional(),
  /**
   * RF-01/RF-02: onset since the start of the current LBP episode (`orSinceEpisodeStart`) or within `days`.
   * When neither can be decided (no episode start and no `days`), the finding counts.
   */
  recentOnset: z
    .strictObject({ days: z.number().int().min(0).optional(), orSinceEpisodeStart: z.boolean() })
    .refine((recent) => recent.days !== undefined || recent.orSinceEpisodeStart, 'give days or orSinceEpisodeStart')
    .optional(),
  /** Where to look; both by default. */
  in: z
    .array(z.enum(['Condition', 'Observation']))
    .min(1)
    .optional(),
  /** Ignore a finding recorded before anything of this value set (PR-01: pregnancy ended by a delivery). */
  unlessFollowedBy: valueSetId.optional(),
  /** Count a finding only when its own text names this (e.g. ICPC L95 with "fractuur": RF-07 b). */
  withText: keywordListName.optional(),
});

/**
 * `finding`: a Condition (by code) or Observation (by code or coded value) in a value set, with status,
 * window and recent-onset filters.
 */
export const finding: FactDefinition<z.infer<typeof findingParams>> = {
  id: 'finding',
  params: findingParams,
  references: (params) => ({
    valueSets: [params.valueSet, ...(params.unlessFollowedBy ? [params.unlessFollowedBy] : [])],
    keywordLists: params.withText ? [params.withText] : [],
  }),
  compute: (params, context): PresenceFact => {
    const { record } = context;
    const url = context.knowledge.valueSetUrl(params.valueSet);
    const where = new Set(params.in ?? ['Condition', 'Observation']);
    const laterDays = params.unlessFollowedBy
      ? daysOf(record, context.knowledge.valueSetUrl(params.unlessFollowedBy))
      : [];
    const episodeStart = params.recentOnset?.orSinceEpisodeStart ? context.episode().onsetDay : undefined;

    const isRecent = (day: number | undefined) => {
      const recent = params.recentOnset;
      if (recent === undefined || day === undefined) {
        return true;
      }
      const sinceEpisode = episodeStart !== undefined && day >= episodeStart;
      const withinDays = recent.days !== undefined && isWithin(day, record.today, { days: recent.days });
      const undecidable = recent.days === undefined && episodeStart === undefined;
      return sinceEpisode || withinDays || undecidable;
    };
    // A Condition is in the window when its onset or its recorded date is ("recorded within 6 months").
    const inItemWindow = (item: ConditionItem | ObservationItem) => {
      const days = ('recordedDay' in item ? [item.day, item.recordedDay] : [item.day]).filter(
        (day) => day !== undefined
      );
      return days.length === 0 || days.some((day) => inWindow(day, record.today, params.within));
    };
    const notFollowed = (day: number | undefined) => day === undefined || !laterDays.some((later) => later > day);
    const textMatcher = params.withText ? context.knowledge.keywords(params.withText) : undefined;
    const hasText = (item: ConditionItem | ObservationItem) =>
      textMatcher === undefined || textMatcher.matchesAny(textsOfResource(record, item.reference));
    const matches = (item: ConditionItem | ObservationItem) =>
      item.valueSets.has(url) && inItemWindow(item) && isRecent(item.day) && notFollowed(item.day) && hasText(item);

    const found = [
      ...(where.has('Condition')
        ? record.conditions.filter((condition) => (params.status === 'any' || condition.current) && matches(condition))
        : []),
      ...(where.has('Observation') ? record.observations.filter(matches) : []),
    ];
    return presence(found.map(codedEvidence));
  },
};

const textParams = z.strictObject({
  keywords: keywordListName,
  /** Only texts dated within this window (undated texts count). */
  within: windowSchema.optional(),
  /** Ignore the texts of resolved or inactive Conditions. */
  currentOnly: z.boolean().optional(),
});

/** A record's texts (all, or of current problems only) and their sources, frozen: matchers index them once. */
interface TextSelection {
  readonly texts: readonly RecordText[];
  readonly sources: readonly TextSource[];
}
const selections = new WeakMap<ClinicalRecord, Map<boolean, TextSelection>>();

function textSelection(record: ClinicalRecord, currentOnly: boolean): TextSelection {
  const byFilter = getOrAdd(selections, record, () => new Map<boolean, TextSelection>());
  return getOrAdd(byFilter, currentOnly, () => {
    const texts = Object.freeze(record.texts.filter((text) => !currentOnly || text.current));
    return { texts, sources: Object.freeze(texts.map((text) => text.source)) };
  });
}

function textEvidence(context: FactContext, params: z.infer<typeof textParams>, selection: TextSelection): Evidence[] {
  const matcher = context.knowledge.keywords(params.keywords);
  const { today } = context.record;
  const { texts } = selection;
  const evidence: Evidence[] = [];
  // One call for all texts (a large record has thousands); the matches come in the order of the texts.
  let k = 0;
  for (const match of matcher.findAll(selection.sources)) {
    while (texts[k]?.source !== match.source) {
      k++;
    }
    const day = texts[k]?.day;
    if ((!params.currentOnly || isCurrentMention(match)) && mentionInWindow(match, day, today, params.within)) {
      evidence.push(mentionEvidence(match));
    }
  }
  return evidence;
}

/**
 * `textMention`: a concept of a keyword list mentioned in the record's free text (RW-08: Condition code.text and
 * note, Observation valueString and note, Medication note, Procedure code.text and note, draft-order texts,
 * questionnaire answers), in Dutch or English, read with ConText (RW-09): negated, hypothetical and family mentions
 * do not count; uncertain ones count as suspected; historical ones count when their time fits `within`.
 * A match is labelled "free text — please confirm" on the card.
 */
export const textMention: FactDefinition<z.infer<typeof textParams>> = {
  id: 'textMention',
  params: textParams,
  references: (params) => ({ keywordLists: [params.keywords] }),
  compute: (params, context): PresenceFact => {
    // The window is applied per mention: "vorig jaar koorts" in today's note is a year old (RW-09).
    return presence(textEvidence(context, params, textSelection(context.record, params.currentOnly ?? false)));
  },
};

const procedureParams = z
  .strictObject({
    valueSet: valueSetId.optional(),
    /** Words in the procedure's code text, coding display or body site (e.g. "laminectomie", "L4"). */
    keywords: keywordListName.optional(),
    within: windowSchema.optional(),
    statuses: z.array(z.string().min(1)).min(1),
  })
  .refine((params) => params.valueSet !== undefined || params.keywords !== undefined, 'give valueSet or keywords');

/** `procedure`: a Procedure with one of the statuses, recognised by value set or by its words. */
export const procedure: FactDefinition<z.infer<typeof procedureParams>> = {
  id: 'procedure',
  params: procedureParams,
  references: (params) => ({
    valueSets: params.valueSet ? [params.valueSet] : [],
    keywordLists: params.keywords ? [params.keywords] : [],
  }),
  compute: (params, context): PresenceFact => {
    const { record, knowledge } = context;
    const url = params.valueSet ? knowledge.valueSetUrl(params.valueSet) : undefined;
    const matcher = params.keywords ? knowledge.keywords(params.keywords) : undefined;
    const evidence = record.procedures
      .filter((item) => params.statuses.includes(item.status) && inWindow(item.day, record.today, params.within))
      .filter(
        (item) =>
          (url !== undefined && item.valueSets.has(url)) ||
          (matcher !== undefined &&
            matcher.matchesAny(
              item.texts.map((text, index) => ({ reference: item.reference, field: `text${index}`, text }))
            ))
      )
      .map(codedEvidence);
    return presence(evidence);
  },
};

const orderReasonParams = z.strictObject({ valueSet: valueSetId, keywords: keywordListName });

/**
 * `orderReason` (SC-05 c): a selected draft order whose reasonCode is in the value set, whose
 * reasonReference points at such a Condition, or whose text names it.
 */
export const orderReason: FactDefinition<z.infer<typeof orderReasonParams>> = {
  id: 'orderReason',
  params: orderReasonParams,
  references: (params) => ({ valueSets: [params.valueSet], keywordLists: [params.keywords] }),
  compute: (params, context): PresenceFact => {
    const { record, knowledge } = context;
    const url = knowledge.valueSetUrl(params.valueSet);
    const matcher = knowledge.keywords(params.keywords);
    const conditionsInSet = new Set(
      record.conditions.filter((condition) => condition.valueSets.has(url)).map((condition) => condition.reference)
    );
    const evidence = record.orders
      .filter((order) => order.selected)
      .filter(
        (order) =>
          order.reasonValueSets.has(url) ||
          order.reasonReferences.some((reference) => conditionsInSet.has(reference)) ||
          matcher.matchesAny(
            order.texts.map((text, index) => ({ reference: order.reference, field: `text${index}`, text }))
          )
      )
      .map(codedEvidence);
    return presence(evidence);
  },
};
