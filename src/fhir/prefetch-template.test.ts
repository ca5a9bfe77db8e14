import { resolveTemplate } from './prefetch-template';

describe('resolveTemplate', () => {
  const context = { patientId: 'pat-1', userId: 'Practitioner/doc 1', encounterId: 'enc-1', count: 3, draftOrders: {} };

  it.each([
    ['Patient/{{context.patientId}}', 'Patient/pat-1'],
    [
      'Condition?patient={{context.patientId}}&encounter={{ context.encounterId }}',
      'Condition?patient=pat-1&encounter=enc-1',
    ],
    ['Observation?_count={{context.count}}', 'Observation?_count=3'],
    ['Practitioner/{{userPractitionerId}}', 'Practitioner/doc%201'],
    ['Observation?patient=a%26b', 'Observation?patient=a%26b'],
  ])('%s → %s', (template, expected) => {
    expect(resolveTemplate(template, context)).toBe(expected);
  });

  it('URL-encodes token values so they cannot change the query', () => {
    expect(resolveTemplate('Condition?patient={{context.patientId}}', { patientId: '1&_include=*' })).toBe(
      'Condition?patient=1%26_include%3D*'
    );
  });

  it.each([
    ['a missing context field', 'Encounter/{{context.missing}}'],
    ['a non-primitive field', 'Bundle/{{context.draftOrders}}'],
    ['a user token of another type', 'PractitionerRole/{{userPractitionerRoleId}}'],
    ['an unknown token', 'Patient/{{today()}}'],
  ])('returns undefined for %s', (_name, template) => {
    expect(resolveTemplate(template, context)).toBeUndefined();
  });
});
