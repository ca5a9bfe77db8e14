import type { RealWorldRecord } from '../record';
import { caudaNeuroRecords } from './cauda-neuro';
import { dataOrderRecords } from './data-orders';
import { datesMedsTextRecords } from './dates-meds-text';
import { feverInfectionRecords } from './fever-infection';
import { malignancyRecords } from './malignancy';
import { softFractureRecords } from './soft-fracture';

/** The whole real-world corpus (README.md lists the shapes and their sources). */
export const CORPUS: readonly RealWorldRecord[] = [
  ...caudaNeuroRecords,
  ...feverInfectionRecords,
  ...malignancyRecords,
  ...softFractureRecords,
  ...dataOrderRecords,
  ...datesMedsTextRecords,
];
