import { z } from 'zod';
import { badRequest } from '../common/http-error';
import type { Problem } from '../common/http-error';
import { toExpression } from '../common/expression';
import { hasNul, isStorableDate, EARLIEST_YEAR, LATEST_YEAR } from '../store/storable';

/**
 * The CDS Hooks 2.0 feedback body (https://cds-hooks.hl7.org/2.0/#feedback; docs/integration.md): several
 * items per request, each naming a card by its uuid, the outcome, the accepted suggestions (required when
 * accepted, cds-fb-2) or an override reason (a coded reason and/or a comment, cds-fb-3), and when it happened.
 */
/** Text the store can keep: bounded, and without NUL (PostgreSQL refuses U+0000 in text). */
const text = (max: number, min = 0) =>
  z
    .string({ error: 'is required' })
    .min(min)
    .max(max)
    .refine((value) => !hasNul(value), 'must not contain a NUL character');

const coding = z.looseObject({
  system: text(1000, 1),
  code: text(200, 1),
  display: text(1000).optional(),
});

// RFC 3339 with a time zone, as the spec's example `2021-12-11T10:05:31Z`.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const feedbackItem = z
  .looseObject({
    card: z
      .string({ error: 'is required (the card uuid)' })
      .min(1)
      .max(200)
      .refine((value) => !hasNul(value), 'must not contain a NUL character'),
    outcome: z.enum(['accepted', 'overridden'], { error: 'must be "accepted" or "overridden"' }),
    acceptedSuggestions: z
      .array(z.looseObject({ id: text(200, 1) }))
      .min(1)
      .max(100)
      .optional(),
    overrideReason: z
      .looseObject({ reason: coding.optional(), userComment: text(10_000).optional() })
      .refine((reason) => reason.reason !== undefined || reason.userComment !== undefined, {
        message: 'needs a reason or a userComment (cds-fb-3)',
      })
      .optional(),
    outcomeTimestamp: z
      .string({ error: 'is required' })
      .regex(RFC3339, 'must be an RFC 3339 date-time with time zone, e.g. 2021-12-11T10:05:31Z')
      .refine(
        (value) => !Number.isNaN(Date.parse(value)) && isStorableDate(value),
        `is not a real date-time in the years ${EARLIEST_YEAR}–${LATEST_YEAR}`
      ),
  })
  .superRefine((item, ctx) => {
    if (item.outcome === 'accepted' && item.acceptedSuggestions === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptedSuggestions'],
        message: 'is required when the outcome is accepted (cds-fb-2)',
      });
    }
    if (item.outcome === 'accepted' && item.overrideReason !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['overrideReason'], message: 'belongs to an overridden card only' });
    }
  });

export type FeedbackItemInput = z.infer<typeof feedbackItem>;

/** The request's shape; the items are checked one by one (below), so one bad item does not sink the others. */
const feedbackBody = z.looseObject({
  feedback: z.array(z.unknown(), { error: 'must be an array of feedback items' }).min(1, 'must not be empty').max(1000),
});

export interface ParsedFeedback {
  /** The valid items with their position in the request. */
  readonly valid: readonly { readonly index: number; readonly item: FeedbackItemInput }[];
  /** What is wrong with the invalid items, each naming `feedback[i].field`. */
  readonly problems: readonly Problem[];
}

const toProblems = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): Problem[] =>
  issues.map((issue) => {
    const expression = toExpression([...prefix, ...issue.path]) || 'feedback';
    return { expression, message: `${expression} ${issue.message}` };
  });

/**
 * @param body - the parsed JSON body
 * @returns the valid items and the problems of the invalid ones
 * @throws HttpError 400 when the request itself is malformed (no `feedback` array, empty, too many items)
 */
export function parseFeedback(body: unknown): ParsedFeedback {
  const parsed = feedbackBody.safeParse(body);
  if (!parsed.success) {
    throw badRequest(toProblems(parsed.error.issues, []));
  }
  const valid: { index: number; item: FeedbackItemInput }[] = [];
  const problems: Problem[] = [];
  parsed.data.feedback.forEach((raw, index) => {
    const item = feedbackItem.safeParse(raw);
    if (item.success) {
      valid.push({ index, item: item.data });
    } else {
      problems.push(...toProblems(item.error.issues, ['feedback', index]));
    }
  });
  return { valid, problems };
}
