import type { Trigger } from './language';

/** Where a text's sentences and ConText triggers lie, in token indices (analysis.ts, sections.ts). */

export interface Sentence {
  /** Token indices [from, to). */
  readonly from: number;
  readonly to: number;
}

export interface FoundTrigger {
  readonly trigger: Trigger;
  /** Token indices of the trigger words, inclusive. */
  readonly first: number;
  readonly last: number;
  /** Token indices covered by its scope, inclusive (empty when scopeFrom > scopeTo). */
  readonly scopeFrom: number;
  readonly scopeTo: number;
  readonly sentence: number;
}
