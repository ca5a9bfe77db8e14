/**
 * Prefetch templates (what a service asks the client to prefetch, and what gathering fetches when it did not) and
 * their tokens (https://cds-hooks.hl7.org/2.0/#prefetch-tokens): `{{context.<field>}}` for a
 * root-level primitive context field, and the user tokens derived from `context.userId`.
 */

/** The FHIR resource type a prefetch template returns, and whether it is a single read or a search. */
export interface PrefetchTemplate {
  /** The template as published in discovery, inside the spec's recommended query subset. */
  readonly query: string;
  readonly resourceType: string;
  readonly kind: 'read' | 'search';
  /** Without this data no decision is possible: the call answers 412 (spec "CDS Service Response"). */
  readonly required: boolean;
}

const TOKEN = /\{\{\s*([^{}]+?)\s*\}\}/g;

const USER_TOKENS: Readonly<Record<string, string>> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

function tokenValue(token: string, context: Readonly<Record<string, unknown>>): string | undefined {
  if (token.startsWith('context.')) {
    const value = context[token.slice('context.'.length)];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
  }
  const userType = USER_TOKENS[token];
  if (userType !== undefined && typeof context.userId === 'string') {
    const [type, id] = context.userId.split('/');
    return type === userType && id ? id : undefined;
  }
  return undefined;
}

/**
 * Fills in a template. Values are URL-encoded, so an id can never change the query.
 * @param template - e.g. `Condition?patient={{context.patientId}}`
 * @param context - the hook context
 * @returns the relative FHIR URL, or undefined when a token cannot be resolved (the template is skipped)
 */
export function resolveTemplate(template: string, context: Readonly<Record<string, unknown>>): string | undefined {
  const values = new Map<string, string>();
  for (const [, token] of template.matchAll(TOKEN)) {
    const value = tokenValue(token as string, context);
    if (value === undefined) {
      return undefined;
    }
    values.set(token as string, encodeURIComponent(value));
  }
  return template.replace(TOKEN, (_match, token: string) => values.get(token) ?? '');
}
