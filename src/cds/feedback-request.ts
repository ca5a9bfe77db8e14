import { z } from 'zod';
import { badRequest } from '../http/errors';
import { toExpression } from '../expression';

/**
 * The CDS Hooks 2.0 feedback body (https://cds-hooks.hl7.org/2.0/#feedback; docs/integration.md): several
 * items per request, each naming a card by its uuid, the outcome, the accepted suggestions (required when
 * accepted, cds-fb-2) or an override reason (a coded reason and/or a comment, cds-fb-3), and when it happened.
 */
const coding = z.looseObject({
  system: z.string({ error: 'is required' }).min(1),
  code: z.string({ error: 'is required' }).min(1),
  display: z.string().optional(),
});

// RFC 3339 with a time zone, as the spec's example `2021-12-11T10:05:31Z`.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const feedbackItem = z
  .looseObject({
    card: z.string({ error: 'is required (the card uuid)' }).min(1).max(200),
    outcome: z.enum(['accepted', 'overridden'], { error: 'must be "accepted" or "overridden"' }),
    acceptedSuggestions: z
      .array(z.looseObject({ id: z.string().min(1).max(200) }))
      .min(1)
      .optional(),
    overrideReason: z
      .looseObject({ reason: coding.optional(), userComment: z.string().max(10_000).optional() })
      .refine((reason) => reason.reason !== undefined || reason.userComment !== undefined, {
        message: 'needs a reason or a userComment (cds-fb-3)',
      })
      .optional(),
    outcomeTimestamp: z
      .string({ error: 'is required' })
      .regex(RFC3339, 'must be an RFC 3339 date-time with time zone, e.g. 2021-12-11T10:05:31Z')
      .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a valid date-time'),
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

const feedbackBody = z.looseObject({
  feedback: z
    .array(feedbackItem, { error: 'must be an array of feedback items' })
    .min(1, 'must not be empty')
    .max(1000),
});

export type FeedbackBody = z.infer<typeof feedbackBody>;

/**
 * @param body - the parsed JSON body
 * @throws HttpError 400 naming every invalid field (e.g. `feedback[0].outcomeTimestamp`)
 */
export function parseFeedback(body: unknown): FeedbackBody {
  const parsed = feedbackBody.safeParse(body);
  if (!parsed.success) {
    throw badRequest(
      parsed.error.issues.map((issue) => {
        const expression = toExpression(issue.path) || 'feedback';
        return { expression, message: `${expression} ${issue.message}` };
      })
    );
  }
  return parsed.data;
}
