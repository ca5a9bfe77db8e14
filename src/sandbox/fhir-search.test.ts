import { OperationOutcomeError } from '@medplum/core';
import type { Observation } from '@medplum/fhirtypes';
import { ensureFhirDefinitionsIndexed } from './fhir-definitions';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, planSearch, searchsetBundle } from './fhir-search';

const BASE = 'https://cds.example.org/fhir';
const strict = { lenient: false, baseUrl: BASE };

beforeAll(() => {
  ensureFhirDefinitionsIndexed();
});

describe('planSearch', () => {
  it.each([
    ['patient', 'fever', 'Patient/fever'],
    ['patient', 'Patient/fever', 'Patient/fever'],
    ['patient', `${BASE}/Patient/fever`, 'Patient/fever'],
    ['patient', 'Patient/fever/_history/3', 'Patient/fever'],
    ['patient', 'fever,chronic-clean', 'Patient/fever,Patient/chronic-clean'],
    ['subject', 'fever', 'Group/fever,Patient/fever'],
    ['subject:Patient', 'fever', 'Patient/fever'],
    ['subject', 'https://elsewhere.example/fhir/Patient/x', 'https://elsewhere.example/fhir/Patient/x'],
  ])('rewrites the reference %s=%s as the repository stores it (%s)', (key, value, expected) => {
    const plan = planSearch('Condition', [[key, value]], strict);
    expect(plan.filters).toEqual([[key.split(':')[0], expected]]);
  });

  it('keeps supported filters and modifiers as given', () => {
    const params: [string, string][] = [
      ['code', 'http://loinc.org|8310-5'],
      ['status:not', 'cancelled'],
      ['date', 'ge2026-11-01'],
      ['value-string:contains', 'koorts'],
      ['subject:missing', 'false'],
    ];
    expect(planSearch('Observation', params, strict).filters).toEqual(params);
  });

  it('reads the result parameters', () => {
    expect(planSearch('Observation', [], strict)).toMatchObject({
      count: DEFAULT_PAGE_SIZE,
      offset: 0,
      sort: [],
      summaryCount: false,
    });
    const plan = planSearch(
      'Observation',
      [
        ['_sort', '-date,code'],
        ['_count', '5000'],
        ['_offset', '20'],
        ['_elements', 'code'],
        ['_total', 'accurate'],
      ],
      strict
    );
    expect(plan.sort.map(({ code, descending }) => ({ code, descending }))).toEqual([
      { code: 'date', descending: true },
      { code: 'code', descending: false },
    ]);
    expect(plan).toMatchObject({ count: MAX_PAGE_SIZE, offset: 20, filters: [] });
    expect(planSearch('Observation', [['_count', '0']], strict).summaryCount).toBe(true);
    expect(planSearch('Observation', [['_summary', 'count']], strict).summaryCount).toBe(true);
  });

  it.each<[[string, string][]]>([
    [[['colour', 'blue']]],
    [[['subject.name', 'Bakker']]],
    [[['_has:Observation:patient:code', '8310-5']]],
    [[['_include', 'Observation:patient']]],
    [[['value-quantity', 'gt38']]], // quantity: not implemented by the in-memory matcher
    [[['code:text', 'temperatuur']]],
    [[['subject:identifier', 'x|1']]],
  ])('refuses %j with 400, and drops it when lenient', (params: [string, string][]) => {
    expect(() => planSearch('Observation', params, strict)).toThrow(OperationOutcomeError);
    expect(planSearch('Observation', params, { ...strict, lenient: true }).filters).toEqual([]);
  });

  it.each<[[string, string][]]>([
    [[['_count', '-1']]],
    [[['_count', 'ten']]],
    [[['_offset', '1.5']]],
    [[['_sort', 'colour']]],
    [[['_summary', 'maybe']]],
    [[['subject:missing', 'yes']]],
  ])('refuses the malformed %j with 400 even when lenient', (params: [string, string][]) => {
    expect(() => planSearch('Observation', params, { ...strict, lenient: true })).toThrow(OperationOutcomeError);
  });
});

describe('searchsetBundle', () => {
  const observation = (id: string, effective: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { text: id },
    ...effective,
  });
  const matches = [
    observation('a', { effectiveDateTime: '2026-11-19T17:30:00+01:00' }),
    observation('b', { effectivePeriod: { start: '2026-11-20', end: '2026-11-21' } }),
    observation('c', {}),
    observation('d', { effectiveDateTime: '2026-11-19T17:00:00Z' }),
    observation('e', { effectiveDateTime: '2025' }),
  ];

  it('sorts by date in either direction, across offsets and periods, without a date last', () => {
    const ids = (sort: string) =>
      searchsetBundle(planSearch('Observation', [['_sort', sort]], strict), matches, BASE).entry?.map(
        (entry) => entry.resource?.id
      );
    // a is 16:30Z, before d at 17:00Z although its local time is later.
    expect(ids('date')).toEqual(['e', 'a', 'd', 'b', 'c']);
    expect(ids('-date')).toEqual(['b', 'd', 'a', 'e', 'c']);
  });

  it('pages, counts and links below the base URL', () => {
    const bundle = searchsetBundle(
      planSearch(
        'Observation',
        [
          ['patient', 'p1'],
          ['_count', '2'],
          ['_offset', '2'],
        ],
        strict
      ),
      matches,
      BASE
    );
    expect(bundle.total).toBe(5);
    expect(bundle.entry?.map((entry) => [entry.fullUrl, entry.search?.mode])).toEqual([
      [`${BASE}/Observation/c`, 'match'],
      [`${BASE}/Observation/d`, 'match'],
    ]);
    expect(Object.fromEntries((bundle.link ?? []).map((link) => [link.relation, link.url]))).toEqual({
      self: `${BASE}/Observation?patient=Patient%2Fp1&_count=2&_offset=2`,
      first: `${BASE}/Observation?patient=Patient%2Fp1&_count=2&_offset=0`,
      previous: `${BASE}/Observation?patient=Patient%2Fp1&_count=2&_offset=0`,
      next: `${BASE}/Observation?patient=Patient%2Fp1&_count=2&_offset=4`,
    });
  });
});
