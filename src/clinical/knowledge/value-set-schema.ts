import { z } from 'zod';
import { KNOWN_SYSTEMS, SYSTEM_ALIASES } from './code-systems';

/**
 * The supported subset of a FHIR R4 ValueSet (terminology.ts lists the forms): anything else is rejected when the
 * value sets are loaded, so a value set can never silently match less than its author intended.
 */

const filterSchema = z.strictObject({
  property: z.string(),
  op: z.string(),
  value: z.string().trim().min(1),
});

const conceptSetSchema = z
  .strictObject({
    system: z.string().trim().min(1),
    version: z.string().optional(),
    concept: z.array(z.object({ code: z.string().trim().min(1), display: z.string().optional() })).optional(),
    filter: z.array(filterSchema).optional(),
  })
  .superRefine((set, ctx) => {
    // A value set names a system exactly (its URI or a listed alias); records may also use variant spellings.
    if (!KNOWN_SYSTEMS.has(set.system.trim()) && !SYSTEM_ALIASES.has(set.system.trim())) {
      ctx.addIssue({
        code: 'custom',
        path: ['system'],
        message: `unknown code system "${set.system}" (supported: ${[...KNOWN_SYSTEMS].join(', ')})`,
      });
    }
    const hasConcept = set.concept !== undefined;
    const hasFilter = set.filter !== undefined;
    if (hasConcept === hasFilter) {
      ctx.addIssue({ code: 'custom', message: 'needs either "concept" or "filter" (exactly one of them)' });
    }
    if (set.concept?.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['concept'], message: 'must not be empty' });
    }
    if (set.filter !== undefined && set.filter.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['filter'],
        message: `must hold exactly one filter (found ${set.filter.length}); use one include entry per filter`,
      });
    }
    set.filter?.forEach((filter, index) => {
      for (const message of filterProblems(filter)) {
        ctx.addIssue({ code: 'custom', path: ['filter', index], message });
      }
    });
  });

export const valueSetSchema = z.object({
  resourceType: z.literal('ValueSet'),
  url: z.string().trim().min(1),
  version: z.string().trim().min(1),
  compose: z.object({
    include: z.array(conceptSetSchema).min(1),
    exclude: z.array(conceptSetSchema).optional(),
  }),
});

export type ConceptSet = z.infer<typeof conceptSetSchema>;
type Filter = z.infer<typeof filterSchema>;

/** The property each supported op must use, as in FHIR convention (`concept is-a X`, `code regex R`). */
const SUPPORTED_OPS: ReadonlyMap<string, string> = new Map([
  ['is-a', 'concept'],
  ['regex', 'code'],
]);

function filterProblems(filter: Filter): string[] {
  const property = SUPPORTED_OPS.get(filter.op);
  if (property === undefined) {
    return [`unsupported op "${filter.op}" (supported: ${[...SUPPORTED_OPS.keys()].join(', ')})`];
  }
  const problems: string[] = [];
  if (filter.property !== property) {
    problems.push(`op "${filter.op}" needs property "${property}", found "${filter.property}"`);
  }
  if (filter.op === 'regex') {
    if (!filter.value.startsWith('^')) {
      problems.push(`regex "${filter.value}" must be anchored with "^"`);
    }
    try {
      new RegExp(filter.value);
    } catch (error) {
      problems.push(`regex "${filter.value}" does not compile: ${error instanceof Error ? error.message : 'error'}`);
    }
  }
  return problems;
}
