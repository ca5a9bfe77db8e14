import type { MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import { isoDay, toDay } from './dates';
import { durationDays, medicationUse } from './medication-use';
import { RecordDates } from './record-dates';

/** RW-05: use periods of MedicationStatement/MedicationRequest shapes (Nictiz MedicationUse, G-Standaard exports). */
const dates = new RecordDates(toDay('2026-11-21') as number, 'Europe/Amsterdam');
const prednisolone = { coding: [{ system: 'http://www.whocc.no/atc', code: 'H02AB06' }] };
const statement = (fields: Partial<MedicationStatement>): MedicationStatement => ({
  resourceType: 'MedicationStatement',
  status: 'active',
  subject: { reference: 'Patient/p' },
  medicationCodeableConcept: prednisolone,
  ...fields,
});
const request = (fields: Partial<MedicationRequest>): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  status: 'completed',
  intent: 'order',
  subject: { reference: 'Patient/p' },
  medicationCodeableConcept: prednisolone,
  ...fields,
});
const period = (resource: MedicationStatement | MedicationRequest) => {
  const use = medicationUse(resource, dates);
  return [use.startDay, use.endDay].map((day) => (day === undefined ? undefined : isoDay(day)));
};
const days = (value: number, code = 'd') => ({ value, code, unit: code });
const daily = { timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' as const } } };

describe('medicationUse', () => {
  it.each<[string, MedicationStatement | MedicationRequest, (string | undefined)[]]>([
    [
      'statement, effectivePeriod',
      statement({ effectivePeriod: { start: '2026-01-10', end: '2026-03-01' } }),
      ['2026-01-10', '2026-03-01'],
    ],
    [
      'active statement, only effectiveDateTime: ongoing',
      statement({ effectiveDateTime: '2026-05-01' }),
      ['2026-05-01', undefined],
    ],
    [
      'completed statement, only effectiveDateTime: one day',
      statement({ status: 'completed', effectiveDateTime: '2026-05-01' }),
      ['2026-05-01', '2026-05-01'],
    ],
    [
      'active statement, only dateAsserted',
      statement({ dateAsserted: '2026-06-01T10:00:00+02:00' }),
      ['2026-06-01', undefined],
    ],
    [
      'statement with a partial period: first to last possible day',
      statement({ effectivePeriod: { start: '2026-01', end: '2026-03' } }),
      ['2026-01-01', '2026-03-31'],
    ],
    [
      'statement with dosage bounds of 14 days',
      statement({ effectiveDateTime: '2026-05-01', dosage: [{ timing: { repeat: { boundsDuration: days(14) } } }] }),
      ['2026-05-01', '2026-05-14'],
    ],
    [
      'request, 30 days × (1 + 2 repeats)',
      request({
        authoredOn: '2026-05-01',
        dispenseRequest: { expectedSupplyDuration: days(30), numberOfRepeatsAllowed: 2 },
      }),
      ['2026-05-01', '2026-07-29'],
    ],
    [
      'request, 4 weeks supply in UCUM wk',
      request({ authoredOn: '2026-05-01', dispenseRequest: { expectedSupplyDuration: days(4, 'wk') } }),
      ['2026-05-01', '2026-05-28'],
    ],
    [
      'request, 60 tablets at 2 a day',
      request({
        authoredOn: '2026-05-01',
        dosageInstruction: [{ ...daily, doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }] }],
        dispenseRequest: { quantity: { value: 60, unit: 'tablet' } },
      }),
      ['2026-05-01', '2026-05-30'],
    ],
    [
      'request, quantity in another unit than the dose: not used',
      request({
        authoredOn: '2026-05-01',
        dosageInstruction: [{ ...daily, doseAndRate: [{ doseQuantity: { value: 5, unit: 'mg' } }] }],
        dispenseRequest: { quantity: { value: 60, unit: 'tablet' } },
      }),
      ['2026-05-01', undefined],
    ],
    [
      'request, validity period only',
      request({
        authoredOn: '2026-05-01',
        dispenseRequest: { validityPeriod: { start: '2026-05-02', end: '2026-08-01' } },
      }),
      ['2026-05-02', '2026-08-01'],
    ],
    [
      'request, dosage boundsPeriod wins',
      request({
        authoredOn: '2026-05-01',
        dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2026-05-03', end: '2026-05-10' } } } }],
        dispenseRequest: { expectedSupplyDuration: days(90) },
      }),
      ['2026-05-03', '2026-05-10'],
    ],
  ])('%s', (_name, resource, expected) => {
    expect(period(resource)).toEqual(expected);
  });

  it('reads the route and the form of a contained Medication', () => {
    const use = medicationUse(
      statement({
        medicationCodeableConcept: undefined,
        medicationReference: { reference: '#med' },
        contained: [
          { resourceType: 'Medication', id: 'med', code: { text: 'Prednisolon' }, form: { text: 'oogdruppels' } },
        ],
        dosage: [
          {
            route: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.4.9', code: '9', display: 'Oraal' }] },
            text: '1 dd 1',
          },
        ],
      }),
      dates
    );
    expect(use.code).toEqual({ text: 'Prednisolon' });
    expect(use.routeTexts).toEqual(['Oraal', 'oogdruppels', '1 dd 1']);
  });
});

describe('durationDays', () => {
  it.each([
    [days(10), 10],
    [days(2, 'wk'), 14],
    [days(3, 'mo'), 90],
    [{ value: 5, unit: 'dagen' }, 5],
    [{ value: 0, code: 'd' }, undefined],
    [{ value: 3, code: 'fortnight' }, undefined],
  ])('%j → %s', (duration, expected) => {
    expect(durationDays(duration)).toBe(expected);
  });
});
