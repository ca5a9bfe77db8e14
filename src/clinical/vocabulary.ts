/**
 * The words rule files may use, defined once: the zod schemas that check rules/ at start-up and the TypeScript
 * types of the clinical code are both derived from these lists, so a value a rule file may name is always one
 * the code reads, and a value the code reads is always accepted in a rule file.
 */

/** What a finding is; decides where it shows (decision.ts) and how it is worded (render/). */
export const FINDING_KINDS = [
  'scope',
  'order-scope',
  'red-flag',
  'risk-feature',
  'exclusion',
  'clearance',
  'precaution',
  'eligibility',
  'dosage',
  'advice',
  'recommendation',
  'imaging',
  'data-quality',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Red-flag urgencies (docs/clinical-specification.md §2): IMMEDIATE and URGENT are critical, SOFT is a warning. */
export const URGENCIES = ['IMMEDIATE', 'URGENT', 'SOFT'] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * Consequences a finding has for the exercise programme or the order, each read by decision.ts or the card
 * renderer. A rule file naming any other effect is refused at start-up.
 */
export const EFFECTS = [
  // The programme and its composition (TS-11…TS-27).
  'programme',
  'light-to-moderate-start',
  'type-aerobic',
  'type-strength',
  'type-flexibility',
  'type-functional',
  'optional-neuromotor',
  'option-run-walk',
  'option-high-intensity',
  'option-mind-body',
  // Options a precaution or exclusion takes away, whatever offered them.
  'excludes-run-walk',
  'excludes-high-intensity',
  // Notes the CarePlan carries (TS-00…TS-29, PR-01).
  'note-tailor',
  'note-candidate',
  'note-comorbidity',
  'note-sustainable',
  'note-behaviour-change',
  'note-e-health',
  'pregnancy-adapted',
  // Dose rows (DS-01…DS-03, PR-05).
  'dose-older-adult',
  'dose-novice',
  'dose-inactive',
  'strength-novice-dose',
  // Imaging (IM-04…IM-06).
  'imaging-order',
  'advise-against-imaging',
  'offer-exercise-alternative',
  // Order scope (RW-10): the draft order is neither a physiotherapy referral nor lumbar imaging.
  'unrelated-order',
] as const;
export type Effect = (typeof EFFECTS)[number];

/**
 * Data-quality notes raised while the record is read (DQ-01), by what happened to the data: not obtained
 * (a fetch failed or a search was incomplete), or present but not understood (a code, a unit, a medication).
 */
export const DATA_NOTE_CODES = [
  'data-not-obtained',
  'unreadable-code',
  'measurement-not-understood',
  'medication-unresolved',
] as const;
export type DataNoteCode = (typeof DATA_NOTE_CODES)[number];

/**
 * Notes about data that could hide a red flag: with any of them no exercise programme and no reassurance is
 * given (RW-06), because the part that was not read may be exactly the fever, the weight or the diagnosis.
 */
export const NOTES_THAT_WITHHOLD_THE_PLAN: ReadonlySet<DataNoteCode> = new Set([
  'data-not-obtained',
  'measurement-not-understood',
]);
