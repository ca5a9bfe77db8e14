import type { RegisteredFact } from './context';
import { register } from './context';
import { earlierBackPain, lbpEpisode } from './episode';
import { finding, orderReason, procedure, textMention } from './findings';
import { corticosteroids } from './medication';
import { firedRules, patientAge, recordNotes } from './meta';
import { draftOrder, hookName } from './orders';
import { startBack } from './stratification';
import { bloodPressure, temperature } from './vitals';
import { weightChange } from './weight';

/** Every fact a rule file may name, by id. A rule naming another fact is rejected at start-up. */
export const FACTS: ReadonlyMap<string, RegisteredFact> = new Map(
  [
    register(patientAge),
    register(lbpEpisode),
    register(earlierBackPain),
    register(finding),
    register(textMention),
    register(procedure),
    register(orderReason),
    register(temperature),
    register(bloodPressure),
    register(weightChange),
    register(corticosteroids),
    register(firedRules),
    register(recordNotes),
    register(startBack),
    register(hookName),
    register(draftOrder),
  ].map((fact) => [fact.id, fact])
);
