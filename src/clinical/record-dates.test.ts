import type { Condition, Observation } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { isoDay, localDayOf, nearestDay, toDay, toDaySpan } from './dates';
import { RecordDates } from './record-dates';

/** RW-04: dates in every shape, partial dates and local days (Europe/Amsterdam, Europe/Brussels). */
const AMS = 'Europe/Amsterdam';
const today = toDay('2026-11-21') as number;
const dates = new RecordDates(today, AMS);
const iso = (day: number | undefined) => (day === undefined ? undefined : isoDay(day));

describe('toDaySpan', () => {
  it.each([
    ['2026', '2026-01-01', '2026-12-31'],
    ['2026-02', '2026-02-01', '2026-02-28'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2026-11-14', '2026-11-14', '2026-11-14'],
    ['2026-11-13T23:30:00Z', '2026-11-14', '2026-11-14'],
    ['2026-11-14T00:30:00+01:00', '2026-11-14', '2026-11-14'],
    ['2026-07-13T22:30:00Z', '2026-07-14', '2026-07-14'],
    ['2026-11-14T23:30:00', '2026-11-14', '2026-11-14'],
    ['14-11-2026', '2026-11-14', '2026-11-14'],
    ['14/11/2026', '2026-11-14', '2026-11-14'],
  ])('%s → %s … %s', (value, first, last) => {
    const span = toDaySpan(value, AMS);
    expect([iso(span?.first), iso(span?.last)]).toEqual([first, last]);
  });

  it.each(['', 'gisteren', '2026-13', '2026-02-30', '31-02-2026', 'sinds 3 dagen'])('is undefined for %j', (value) => {
    expect(toDaySpan(value, AMS)).toBeUndefined();
  });

  it('moves an instant to the same local day in Amsterdam and Brussels', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        (instant) => {
          expect(localDayOf(instant, 'Europe/Brussels')).toBe(localDayOf(instant, AMS));
          expect(toDaySpan(instant.toISOString(), AMS)?.first).toBe(localDayOf(instant, AMS));
        }
      )
    );
  });
});

describe('nearestDay', () => {
  it('takes today when the span holds it, else the nearest end', () => {
    expect(iso(nearestDay(toDaySpan('2026-11', AMS), today))).toBe('2026-11-21');
    expect(iso(nearestDay(toDaySpan('2026-10', AMS), today))).toBe('2026-10-31');
    expect(iso(nearestDay(toDaySpan('2027', AMS), today))).toBe('2027-01-01');
  });
});

describe('RecordDates', () => {
  const observation = (fields: Partial<Observation>) =>
    ({ resourceType: 'Observation', status: 'final', code: {}, ...fields }) as Observation;
  it.each([
    [{ effectiveDateTime: '2026-11-19' }, '2026-11-19'],
    [{ effectivePeriod: { start: '2026-11-01', end: '2026-11-19' } }, '2026-11-19'],
    [{ effectivePeriod: { start: '2026-11-18' } }, '2026-11-18'],
    [{ effectivePeriod: { end: '2026-11-18' } }, '2026-11-18'],
    [{ effectiveInstant: '2026-11-18T23:30:00Z' }, '2026-11-19'],
    [{ issued: '2026-11-17T10:00:00+01:00' }, '2026-11-17'],
    [{ effectiveDateTime: '2026-11-19', issued: '2026-11-20T10:00:00Z' }, '2026-11-19'],
  ])('effective day of %j is %s', (fields, expected) => {
    expect(iso(dates.effectiveDay(observation(fields)))).toBe(expected);
  });

  const condition = (fields: Partial<Condition>) =>
    ({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, ...fields }) as Condition;
  const birth = toDay('1980-03-10') as number;
  it.each([
    [{ onsetDateTime: '2026-11' }, '2026-11-21'],
    [{ onsetPeriod: { start: '2026-10-01', end: '2026-10-20' } }, '2026-10-20'],
    [{ onsetAge: { value: 45, unit: 'jaar', system: 'http://unitsofmeasure.org', code: 'a' } }, '2026-03-09'],
    [{ onsetAge: { value: 6, unit: 'maanden' } }, '1980-10-09'],
    [{ onsetAge: { value: 30, code: 'a' } }, '2011-03-09'],
    [{ onsetString: '14-11-2026' }, '2026-11-14'],
    [{ onsetString: 'sinds de verhuizing' }, undefined],
  ])('onset day of %j is %s', (fields, expected) => {
    expect(iso(dates.onsetDay(condition(fields), birth))).toBe(expected);
  });

  it('ends a problem on the last day its partial abatement date may mean', () => {
    expect(iso(dates.abatementDay(condition({ abatementDateTime: '2026-11' })))).toBe('2026-11-30');
    expect(iso(dates.abatementDay(condition({ abatementPeriod: { start: '2026-01-01' } })))).toBe('2026-01-01');
  });
});
