import type { Effect, Evidence, Finding } from './finding';
import { composeProgramme } from './programme';
import type { Programme } from './programme';
import type { ClinicalRecord } from './record';
import { NOTES_THAT_WITHHOLD_THE_PLAN } from './vocabulary';

/**
 * EV-01: evaluation order and precedence, applied to the findings of one evaluation. The Decision is plain
 * data: test clinical behaviour on it, and presentation on the renderer.
 */
export interface Decision {
  readonly rulesetVersion: string;
  /** Every rule that fired, whatever its kind (for explanations and the audit trail). */
  readonly findings: readonly Finding[];
  /** False when a scope rule fired (SC-01, SC-05): the service shows nothing but data it could not obtain. */
  readonly inScope: boolean;
  readonly scope: readonly Finding[];
  /** IMMEDIATE and URGENT red flags (RF-C included), most urgent first. */
  readonly redFlags: readonly Finding[];
  /** SOFT red flags that were not escalated by RF-C. */
  readonly softFlags: readonly Finding[];
  readonly exclusions: readonly Finding[];
  readonly clearances: readonly Finding[];
  readonly precautions: readonly Finding[];
  /** Risk features (SF-1, SF-2) and option eligibility (PR-09, PR-10, EX-03): no card of their own. */
  readonly riskFeatures: readonly Finding[];
  readonly eligibility: readonly Finding[];
  readonly dataQuality: readonly Finding[];
  /** Union of the effects of every finding (e.g. `excludes-run-walk`). */
  readonly effects: ReadonlySet<Effect>;
  /**
   * RW-10: on an order hook, no selected draft order is a physiotherapy referral or lumbar imaging. Only red flags
   * and data problems are shown; exclusions, precautions, advice, imaging and the programme are not about this order.
   */
  readonly unrelatedOrder: boolean;
  /** Whether an exercise programme may be proposed, and the rule ids (or `incomplete-data`) that block it. */
  readonly exercisePlan: { readonly allowed: boolean; readonly blockedBy: readonly string[] };
  /** The programme to propose: only when allowed and a programme rule fired (TS-11…TS-14). */
  readonly programme?: Programme;
  /** TS-10 advice (acute, low risk): only when nothing blocks it. */
  readonly advice: readonly Finding[];
  /** Imaging advice on a lumbar imaging order (IM-04, IM-05), and the orders it concerns. */
  readonly imaging: readonly Finding[];
  readonly imagingOrders: readonly string[];
}

const URGENCY_ORDER = { IMMEDIATE: 0, URGENT: 1, SOFT: 2 } as const;

/**
 * @param findings - what the rules found
 * @param record - the normalised record (its data notes decide whether the data sufficed)
 * @param rulesetVersion - the version of the rules that produced the findings
 */
export function decide(findings: readonly Finding[], record: ClinicalRecord, rulesetVersion: string): Decision {
  const ofKind = (kind: Finding['kind']) => findings.filter((finding) => finding.kind === kind);
  const flags = ofKind('red-flag');
  const redFlags = flags
    .filter((flag) => flag.urgency !== 'SOFT')
    .sort((a, b) => URGENCY_ORDER[a.urgency ?? 'SOFT'] - URGENCY_ORDER[b.urgency ?? 'SOFT']);
  // A soft flag counted by an escalating rule (RF-C) is shown there, not again as a warning.
  const escalated = new Set(
    redFlags.flatMap((flag) => flag.evidence.filter((item) => item.kind === 'rule').map((item) => item.text))
  );
  const softFlags = flags.filter((flag) => flag.urgency === 'SOFT' && !escalated.has(flag.ruleId));
  const effects = new Set(findings.flatMap((finding) => finding.effects));
  const unrelatedOrder = effects.has('unrelated-order');
  // On an unrelated order the exercise pathway is not the question: only red flags and data problems remain.
  const pathway = (kind: Finding['kind']) => (unrelatedOrder ? [] : ofKind(kind));
  const exclusions = pathway('exclusion');
  const clearances = pathway('clearance');
  // Red flags must be excludable: when data that could hide one was not obtained or not understood, no
  // programme and no reassurance is given (DQ-01, RW-06).
  const incomplete = record.notes.some((note) => NOTES_THAT_WITHHOLD_THE_PLAN.has(note.code));
  const blockedBy = [
    ...redFlags.map((finding) => finding.ruleId),
    ...exclusions.map((finding) => finding.ruleId),
    ...clearances.map((finding) => finding.ruleId),
    ...(incomplete ? ['incomplete-data'] : []),
    ...(unrelatedOrder ? ['RW-10'] : []),
  ];
  const scope = ofKind('scope');
  const allowed = scope.length === 0 && blockedBy.length === 0;
  const programme = allowed ? composeProgramme(findings, effects) : undefined;
  const imaging = pathway('imaging');
  const imagingOrders = imaging
    .filter((finding) => finding.effects.includes('imaging-order'))
    .flatMap((finding) => finding.evidence.map((item: Evidence) => item.reference ?? []))
    .flat();
  return {
    rulesetVersion,
    findings,
    inScope: scope.length === 0,
    scope,
    redFlags,
    softFlags,
    exclusions,
    clearances,
    precautions: pathway('precaution'),
    riskFeatures: ofKind('risk-feature'),
    eligibility: ofKind('eligibility'),
    dataQuality: ofKind('data-quality'),
    effects,
    unrelatedOrder,
    exercisePlan: { allowed, blockedBy },
    ...(programme ? { programme } : {}),
    advice: allowed ? ofKind('advice') : [],
    imaging: imaging.filter((finding) => finding.effects.includes('advise-against-imaging')),
    imagingOrders: [...new Set(imagingOrders)],
  };
}
