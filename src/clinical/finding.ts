import type { DataProblemReason } from './gathered-record';
import type { Effect, FindingKind, Urgency } from './vocabulary';

/**
 * What the rules found, in plain serialisable data: the seam between clinical logic and presentation
 * (docs/architecture.md "Contracts"). Card texts exist in Dutch (the default), French and English.
 */

export type Locale = 'nl' | 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['nl', 'fr', 'en'];

/** A rule's text (card title, action) in every card language. */
export type CardText = Readonly<Record<Locale, string>>;

/** The languages the exercise knowledge (ActivityDefinitions, PlanDefinition, CarePlan texts) exists in: all. */
export type KnowledgeLocale = Locale;
/** The languages of the CarePlan knowledge texts (fhir-resources/knowledge). */
export const KNOWLEDGE_LOCALES: readonly KnowledgeLocale[] = ['en', 'nl', 'fr'];
/** The CarePlan language for a card language: the same (a French card carries the French plan). */
export const knowledgeLocale = (locale: Locale): KnowledgeLocale => locale;
/** A knowledge text in each of its languages. */
export type Localised = Readonly<Record<KnowledgeLocale, string>>;

/** How a piece of evidence was found; the renderer words each kind. */
export type EvidenceKind =
  | 'coded' // a coded resource: `text` is its display
  | 'free-text' // a keyword in free text: `text` is the snippet, to be confirmed by the clinician
  | 'temperature'
  | 'weight-change'
  | 'blood-pressure'
  | 'age'
  | 'corticosteroids'
  | 'start-back' // a STarT Back score: `score` holds it
  | 'rule' // another rule that fired (RF-C): `text` is its id
  | 'data'; // a data-quality detail: `data` says what could not be read, `text`/`value` what the record holds

/**
 * What could not be read, without words: a reason the data was not obtained (fhir/gather.ts), or what in a
 * record was not understood. The renderer words it in the GP's language (render/data-lines.ts).
 */
export type DataIssue =
  | DataProblemReason
  | 'no-usable-code' // a diagnosis or measurement without a usable code or text
  | 'measurement-not-understood' // a temperature or weight under a code the rules do not know
  | 'medication-not-coded'
  | 'medication-unnamed' // a product code without ATC code or name
  | 'unit-not-understood'
  | 'implausible-value'
  | 'no-birth-date'
  | 'lbp-code-not-understood'; // the low back pain diagnosis was recognised by its text only

export interface DataDetail {
  readonly issue: DataIssue;
  /** The kind of data that was not obtained, e.g. `Condition`. */
  readonly resourceType?: string;
  /** Numbers the line names: what a search counted and sent, pages read, entries skipped. */
  readonly counted?: number;
  readonly sent?: number;
  readonly pages?: number;
  readonly entries?: number;
  /** The code of a measurement that was not understood, as recorded (without its system URL). */
  readonly code?: string;
  /** The vital sign a unit or value belongs to, named in the GP's language instead of the record's display. */
  readonly measure?: 'temperature' | 'weight' | 'blood-pressure';
  /** The plausible range of an implausible value, with its unit: `25–45 °C`. */
  readonly range?: string;
}

export interface Evidence {
  readonly kind: EvidenceKind;
  /** The resource the evidence comes from, e.g. `Observation/obs-1`. */
  readonly reference?: string;
  /** Text from the record (code display, free-text snippet) or a rule id. Patient-derived: escape when rendering. */
  readonly text?: string;
  /** A measured or computed value with its unit, e.g. `38.6 °C`, `−5.5 kg (6.7 %)`. */
  readonly value?: string;
  /** ISO date (YYYY-MM-DD) of the evidence. */
  readonly date?: string;
  /** An unconfirmed, provisional or differential diagnosis. */
  readonly suspected?: boolean;
  /** Another record says this ended, but the dates cannot tell which is later (RW-07). */
  readonly statusUnclear?: boolean;
  /** A temperature recorded without a unit, read as °C because its value is plausible as °C. */
  readonly unitAssumed?: boolean;
  /** For `data` evidence: what could not be read. */
  readonly data?: DataDetail;
  /** A STarT Back result (YF-02): the risk group and the scores it was derived from. */
  readonly score?: {
    readonly group: 'low' | 'medium' | 'high';
    readonly total: number;
    readonly distress?: number;
  };
}

/**
 * `risk-feature` (SF-1, SF-2), `eligibility` (PR-09, PR-10), `dosage` (DS-01…DS-03) and `order-scope` (RW-10)
 * findings get no card of their own: they feed other rules, gate programme options, choose dose rows and keep
 * the exercise pathway off unrelated orders. `recommendation` findings (TS-11…TS-29) compose the exercise
 * programme; `advice` is TS-10; `imaging` is IM-04…IM-06. The lists live in vocabulary.ts.
 */
export type { Effect, FindingKind, Urgency } from './vocabulary';

/** One rule that fired, with the evidence of the conditions that made it fire. */
export interface Finding {
  /** The id of docs/clinical-specification.md, e.g. RF-03. */
  readonly ruleId: string;
  readonly kind: FindingKind;
  readonly urgency?: Urgency;
  /** Source tags of docs/clinical-specification.md §0, e.g. `HW-FEVER; S002; KNGF-B13`. */
  readonly source: string;
  readonly title: CardText;
  readonly action?: CardText;
  /** Machine-readable consequences for the exercise programme, e.g. `excludes-run-walk`. */
  readonly effects: readonly Effect[];
  readonly evidence: readonly Evidence[];
  /** Name of the guideline link (ruleset.json `links`) the card cites. */
  readonly link: string;
  /** Data-quality notes carry their note codes here (DQ-01). */
  readonly notes: readonly string[];
}
