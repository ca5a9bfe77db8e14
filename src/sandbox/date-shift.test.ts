import type { Bundle, Condition, Extension, MedicationRequest } from '@medplum/fhirtypes';
import { calendarDaysBetween, shiftDateValue, shiftResourceDates } from './date-shift';

describe('calendarDaysBetween', () => {
  const reference = new Date('2026-11-21T10:00:00Z');

  it.each([
    ['2026-11-21T10:00:00Z', 0],
    ['2026-11-21T23:59:59Z', 0],
    ['2026-11-22T00:00:00Z', 1],
    ['2026-12-01T09:00:00Z', 10],
    ['2026-11-20T23:00:00Z', -1],
  ])('counts UTC calendar days from the reference to %s: %d', (now, days) => {
    expect(calendarDaysBetween(reference, new Date(now))).toBe(days);
  });
});

describe('shiftDateValue', () => {
  it.each([
    // Full dates move their calendar date, across month and year ends and leap days.
    ['1974-02-19', 10, '1974-03-01'],
    ['2026-12-25', 10, '2027-01-04'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-11-19', -30, '2026-10-20'],
    // dateTime and instant keep their time of day, fraction and offset as written.
    ['2026-11-19T17:30:00+01:00', 10, '2026-11-29T17:30:00+01:00'],
    ['2026-11-21T10:00:00Z', 10, '2026-12-01T10:00:00Z'],
    ['2026-11-21T10:00:00.123-05:00', -365, '2025-11-21T10:00:00.123-05:00'],
    // Partial dates keep their precision: the period whose first day is nearest to the shifted first day.
    ['2026-11', 14, '2026-11'],
    ['2026-11', 15, '2026-12'],
    ['2026-11', -15, '2026-11'],
    ['2026-11', -16, '2026-10'],
    ['2016', 10, '2016'],
    ['2016', 182, '2016'],
    ['2016', 183, '2017'],
    ['2016', -183, '2015'],
    // Nothing moves by zero days.
    ['2026-11-19T17:30:00+01:00', 0, '2026-11-19T17:30:00+01:00'],
  ])('%s shifted by %d days is %s', (value, days, expected) => {
    expect(shiftDateValue(value, days)).toBe(expected);
  });

  it.each([
    ['not a date'],
    ['2026-02-30'], // no such day
    ['2026-13'],
    ['0000'],
    ['2026-11-19T17:30'], // FHIR requires seconds and a zone with a time
    ['2026-11-19 17:30:00Z'],
    ['20261119'],
    ['  2026-11-19'],
    ['999237573'],
  ])('leaves %j unchanged: it is not a FHIR date, dateTime or instant', (value) => {
    expect(shiftDateValue(value, 10)).toBe(value);
  });
});

/** The typings leave out the extensions of primitives (`_recordedDate`); FHIR JSON has them. */
type ConditionJson = Condition & { _recordedDate?: { extension?: Extension[] } };

describe('shiftResourceDates', () => {
  const condition: ConditionJson = {
    resourceType: 'Condition',
    id: '2026-11-19',
    meta: { lastUpdated: '2026-11-21T10:00:00Z', versionId: '2026' },
    identifier: [{ system: 'http://example.org/2026-11-19', value: '2026-11-19' }],
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: { coding: [{ system: 'http://example.org/codes', code: '2026-11-19', display: '2016' }], text: '2016' },
    subject: { reference: 'Patient/2026-11-19', display: '2026-11-19' },
    onsetDateTime: '2016',
    _recordedDate: {
      extension: [{ url: 'http://example.org/recorded-at', valueDateTime: '2026-11-20T08:00:00+01:00' }],
    },
    recordedDate: '2026-11',
    abatementString: '2026-11-19',
    extension: [
      { url: 'http://example.org/first-seen', valueDateTime: '2026-11-19' },
      { url: 'http://example.org/label', valueString: '2026-11-19' },
      { url: 'http://example.org/code', valueCode: '2026-11-19' },
    ],
    note: [{ time: '2026-11-19T17:30:00+01:00', text: 'Gezien op 2026-11-19.' }],
    evidence: [{ detail: [{ reference: 'Observation/2026-11-19' }] }],
  };

  const shifted = shiftResourceDates(condition, 10);

  it('moves every element typed date, dateTime or instant, including choice types and extensions', () => {
    expect(shifted.meta?.lastUpdated).toBe('2026-12-01T10:00:00Z');
    expect(shifted.onsetDateTime).toBe('2016'); // partial: keeps its precision
    expect(shifted.recordedDate).toBe('2026-11');
    expect(shifted._recordedDate?.extension?.[0]?.valueDateTime).toBe('2026-11-30T08:00:00+01:00');
    expect(shifted.extension?.[0]?.valueDateTime).toBe('2026-11-29');
    expect(shifted.note?.[0]?.time).toBe('2026-11-29T17:30:00+01:00');
  });

  it('leaves ids, codes, systems, references, identifiers, strings and narrative as written', () => {
    expect(shifted.id).toBe(condition.id);
    expect(shifted.meta?.versionId).toBe('2026');
    expect(shifted.identifier).toEqual(condition.identifier);
    expect(shifted.code).toEqual(condition.code);
    expect(shifted.subject).toEqual(condition.subject);
    expect(shifted.abatementString).toBe('2026-11-19');
    expect(shifted.extension?.slice(1)).toEqual(condition.extension?.slice(1));
    expect(shifted.note?.[0]?.text).toBe('Gezien op 2026-11-19.');
    expect(shifted.evidence).toEqual(condition.evidence);
  });

  it('does not change its input', () => {
    expect(condition.note?.[0]?.time).toBe('2026-11-19T17:30:00+01:00');
    expect(shifted).not.toBe(condition);
  });

  it('walks Bundle entries, contained resources, periods, timings and backbone elements', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'Paracetamol' },
      authoredOn: '2026-11-01',
      contained: [{ resourceType: 'Patient', id: 'c1', birthDate: '1980-01-31' }],
      dosageInstruction: [
        {
          timing: {
            event: ['2026-11-02T08:00:00Z'],
            repeat: { boundsPeriod: { start: '2026-11-01', end: '2026-11-30' } },
          },
        },
      ],
      dispenseRequest: { validityPeriod: { start: '2026-11-01' } },
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: '2026-11-21T10:00:00Z',
      entry: [{ fullUrl: 'urn:uuid:2026-11-19', resource: request }],
    };
    const result = shiftResourceDates(bundle, 30);
    const moved = result.entry?.[0]?.resource as MedicationRequest;
    expect(result.timestamp).toBe('2026-12-21T10:00:00Z');
    expect(result.entry?.[0]?.fullUrl).toBe('urn:uuid:2026-11-19');
    expect(moved.authoredOn).toBe('2026-12-01');
    expect(moved.contained?.[0]).toEqual({ resourceType: 'Patient', id: 'c1', birthDate: '1980-03-01' });
    expect(moved.dosageInstruction?.[0]?.timing).toEqual({
      event: ['2026-12-02T08:00:00Z'],
      repeat: { boundsPeriod: { start: '2026-12-01', end: '2026-12-30' } },
    });
    expect(moved.dispenseRequest?.validityPeriod?.start).toBe('2026-12-01');
  });

  it('returns an equal copy when shifting by zero days', () => {
    const copy = shiftResourceDates(condition, 0);
    expect(copy).toEqual(condition);
    expect(copy).not.toBe(condition);
  });
});
