import fc from 'fast-check';
import { convertQuantity, readQuantity, readValueString } from './values';

/** RW-03: values as practice systems write them (FHIR R4 vital-signs profile, Nictiz zib BodyTemperature/BodyWeight). */
describe('readValueString', () => {
  it.each([
    ['38,5', { value: 38.5, unit: '' }],
    ['38.5 C', { value: 38.5, unit: 'C', celsius: 38.5 }],
    ['38,5 graden', { value: 38.5, unit: 'graden', celsius: 38.5 }],
    ['38,9 graden C', { value: 38.9, unit: 'graden C', celsius: 38.9 }],
    ['38,5°C', { value: 38.5, unit: '°C', celsius: 38.5 }],
    ['  39,1 °C ', { value: 39.1, unit: '°C', celsius: 39.1 }],
    ['> 38', { value: 38, unit: '', comparator: '>' }],
    ['≥38,0 Cel', { value: 38, unit: 'Cel', comparator: '>=', celsius: 38 }],
    ['72,4 kg', { value: 72.4, unit: 'kg', kg: 72.4 }],
    ['160 lbs', { value: 160, unit: 'lbs', kg: 160 * 0.4536 }],
  ])('reads %j', (text, expected) => {
    expect(readValueString(text)).toEqual({ ...expected, from: 'valueString' });
  });

  it.each(['geen koorts', 'koorts 38,5 sinds gisteren', '38,5 / 37,9', '', 'ca. 38'])(
    'leaves text as text: %j',
    (text) => {
      expect(readValueString(text)).toBeUndefined();
    }
  );

  it('reads a number the same with a decimal comma or point, whatever the spacing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99999 }).map((n) => n / 100),
        fc.constantFrom('', ' ', '  '),
        fc.constantFrom('kg', 'Cel', '°C', 'graden', 'lb'),
        (value, space, unit) => {
          const point = readValueString(`${value}${space}${unit}`);
          const comma = readValueString(`${String(value).replace('.', ',')}${space}${unit}`);
          expect(comma).toEqual(point);
          expect(point?.value).toBe(value);
        }
      )
    );
  });
});

describe('convertQuantity', () => {
  it.each([
    [38.5, 'Cel', { celsius: 38.5 }],
    [38.5, 'degC', { celsius: 38.5 }],
    [101.3, '[degF]', { celsius: ((101.3 - 32) * 5) / 9 }],
    [101.3, '°F', { celsius: ((101.3 - 32) * 5) / 9 }],
    [72, 'KG', { kg: 72 }],
    [72000, 'g', { kg: 72 }],
    [160, '[lb_av]', { kg: 160 * 0.4536 }],
    [120, 'mm[Hg]', { mmHg: 120 }],
  ])('%d %s', (value, unit, expected) => {
    expect(convertQuantity(value, unit)).toEqual(expected);
  });

  it.each(['%', 'K', '{score}', 'mmol/L', ''])('does not understand %j', (unit) => {
    expect(convertQuantity(1, unit)).toBeUndefined();
  });

  it('gives the same °C for a Fahrenheit value in every spelling', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 77, max: 113, noNaN: true }),
        fc.constantFrom('[degF]', '°F', 'F', 'degF'),
        (f, unit) => {
          expect(convertQuantity(f, unit)?.celsius).toBeCloseTo(((f - 32) * 5) / 9, 9);
        }
      )
    );
  });
});

describe('readQuantity', () => {
  it('reads the UCUM code first, keeps the printed unit and the comparator', () => {
    expect(readQuantity({ value: 38, comparator: '>', unit: 'graden Celsius', code: 'Cel' })).toEqual({
      value: 38,
      unit: 'graden Celsius',
      comparator: '>',
      celsius: 38,
      from: 'valueQuantity',
    });
  });

  it('falls back to the printed unit when the code is not understood', () => {
    expect(readQuantity({ value: 80, unit: 'kg', code: 'kilogram-local' })?.kg).toBe(80);
  });

  it('ignores a value that is not a finite number', () => {
    expect(readQuantity({ value: Number.NaN, unit: 'Cel' })).toBeUndefined();
  });
});
