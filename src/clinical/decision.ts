import type { Finding } from './finding';
import type { ClinicalRecord } from './record';

/**
 * EV-01: evaluation order and precedence, applied to the findings of one evaluation. The Decision is plain
 * data: test clinical behaviour on it, and presentation on the renderer.
 */
export interface Decision {
  readonly rulesetVersion: string;
  /** Every rule that fired, whatever its kind (for explanations and the audit trail). */
  readonly findings: readonly Finding[];
  /** False when a scope rule fired (SC-01, SC-05): the service shows nothing. */
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
  readonly effects: ReadonlySet<string>;
  /** Whether an exercise programme may be proposed, and the rule ids (or `incomplete-data`) that block it. */
  readonly exercisePlan: { readonly allowed: boolean; readonly blockedBy: readonly string[] };
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
  const exclusions = ofKind('exclusion');
  const clearances = ofKind('clearance');
  // Red flags must be excludable: when data could not be obtained, no programme is proposed (DQ-01).
  const incomplete = record.notes.some((note) => note.code === 'data-not-obtained');
  const blockedBy = [
    ...redFlags.map((finding) => finding.ruleId),
    ...exclusions.map((finding) => finding.ruleId),
    ...clearances.map((finding) => finding.ruleId),
    ...(incomplete ? ['incomplete-data'] : []),
  ];
  const scope = ofKind('scope');
  return {
    rulesetVersion,
    findings,
    inScope: scope.length === 0,
    scope,
    redFlags,
    softFlags,
    exclusions,
    clearances,
    precautions: ofKind('precaution'),
    riskFeatures: ofKind('risk-feature'),
    eligibility: ofKind('eligibility'),
    dataQuality: ofKind('data-quality'),
    effects: new Set(findings.flatMap((finding) => finding.effects)),
    exercisePlan: { allowed: scope.length === 0 && blockedBy.length === 0, blockedBy },
  };
}
