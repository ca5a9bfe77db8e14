/** One entry of a feedback request (CDS Hooks 2.0 Feedback), already validated by the route. */
export interface FeedbackItem {
  card: string;
  outcome: 'accepted' | 'overridden';
  /** RFC 3339, e.g. `2021-12-11T10:05:31Z`. */
  outcomeTimestamp: string;
  acceptedSuggestions?: { id: string }[];
  overrideReason?: { reason?: { system: string; code: string; display?: string }; userComment?: string };
}
