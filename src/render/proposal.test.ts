import path from 'node:path';
import type { CarePlan, Resource, ServiceRequest } from '@medplum/fhirtypes';
import fc from 'fast-check';
import type { DosePopulation, Programme, ProgrammeActivity } from '../clinical/programme';
import { EXERCISE_TYPES, PROGRAMME_NOTE_IDS } from '../clinical/programme';
import { KNOWLEDGE_LOCALES as LOCALES } from '../clinical/finding';
import type { KnowledgeLocale as Locale } from '../clinical/finding';
import { loadExerciseKnowledge } from '../clinical/knowledge/exercise-knowledge';
import { emptyValuesIn, validateR4 } from '../../test/support/fhir-validation';
import { BASED_ON_R5 } from './careplan';
import type { CarePlanContext } from './careplan';
import { buildProposal, proposalActions } from './proposal';

/**
 * The builders of the proposal (ServiceRequest, Goals, CarePlan) over any programme, context and language
 * setting: always valid R4 without empty values, linked to each other, translated only when configured.
 */
const knowledge = loadExerciseKnowledge(path.join(__dirname, '..', '..', 'fhir-resources', 'knowledge'));
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

const activity: fc.Arbitrary<ProgrammeActivity> = fc.record({
  type: fc.constantFrom(...EXERCISE_TYPES),
  role: fc.constantFrom('proposed', 'optional', 'option'),
  dose: fc.constantFrom<DosePopulation>('standard', 'older-adult', 'novice', 'inactive'),
});
const programme: fc.Arbitrary<Programme> = fc.record({
  findings: fc.constant([]),
  activities: fc.uniqueArray(activity, { selector: (item) => item.type, minLength: 1 }),
  notes: fc.subarray([...PROGRAMME_NOTE_IDS]),
});
const context: fc.Arbitrary<CarePlanContext> = fc.record(
  {
    patientReference: fc.constant({ reference: 'Patient/p1' }),
    conditions: fc.subarray(['Condition/lbp-1', 'Condition/lbp-2']),
    author: fc.constantFrom('Practitioner/gp-1', 'PractitionerRole/r-1'),
    today: fc.constantFrom('2026-11-21', '2027-02-28', '2028-12-31'),
    rulesetVersion: fc.constant('2026.11.0'),
    translations: fc.subarray([...LOCALES]),
  },
  { requiredKeys: ['patientReference', 'conditions', 'today', 'rulesetVersion', 'translations'] }
);
const order: ServiceRequest & { id: string } = {
  resourceType: 'ServiceRequest',
  id: 'physio-1',
  status: 'draft',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  code: { text: 'Verwijzing fysiotherapie' },
};

describe('buildProposal', () => {
  it('gives valid R4 resources without empty values, linked, translated only when configured', () => {
    fc.assert(
      fc.property(
        programme,
        context,
        fc.constantFrom<Locale>(...LOCALES),
        fc.boolean(),
        (plan, ctx, locale, ordered) => {
          const proposal = buildProposal(plan, knowledge, ctx, locale, ordered ? order : undefined);
          const resources: Resource[] = [proposal.referral, ...proposal.goals, proposal.carePlan];
          for (const resource of resources) {
            validateR4(resource);
            expect(emptyValuesIn(resource)).toEqual([]);
          }
          const carePlan: CarePlan = proposal.carePlan;
          const referralRef = ordered ? 'ServiceRequest/physio-1' : `urn:uuid:${proposal.referral.id ?? ''}`;
          expect(carePlan.supportingInfo).toEqual([{ reference: referralRef }]);
          expect(carePlan.extension).toEqual([{ url: BASED_ON_R5, valueReference: { reference: referralRef } }]);
          expect(proposal.referral.supportingInfo).toContainEqual({ reference: `urn:uuid:${carePlan.id ?? ''}` });
          expect(carePlan.goal?.map((goal) => goal.reference)).toEqual(
            proposal.goals.map((goal) => `urn:uuid:${goal.id ?? ''}`)
          );
          expect(carePlan.activity).toHaveLength(plan.activities.length);
          const translated = ctx.translations.some((other) => other !== locale);
          expect(JSON.stringify(resources).includes(TRANSLATION)).toBe(translated);
          const actions = proposalActions(proposal, locale);
          expect(actions.map((action) => action.type)).toEqual([
            ordered ? 'update' : 'create',
            ...proposal.goals.map(() => 'create'),
            'create',
          ]);
        }
      ),
      { numRuns: 60 }
    );
  });
});
