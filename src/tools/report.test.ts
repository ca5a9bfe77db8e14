import { formatReport } from './report';

describe('formatReport', () => {
  it('prints one aligned line per rule id and kind, with the override reasons by code', () => {
    const text = formatReport([
      {
        ruleId: 'TS-13',
        kind: 'recommendation',
        shown: 12,
        accepted: 7,
        overridden: 3,
        overrideReasons: {
          'https://ruggensteun.org/fhir/CodeSystem/override-reason|patient-declines': 2,
          'comment only': 1,
        },
      },
      { ruleId: 'RF-03', kind: 'red-flag', shown: 2, accepted: 0, overridden: 0, overrideReasons: {} },
    ]);
    expect(text.split('\n')).toEqual([
      'rule   kind            shown  accepted  overridden  override reasons',
      '-----  --------------  -----  --------  ----------  ------------------------------------',
      'TS-13  recommendation  12     7         3           patient-declines: 2, comment only: 1',
      'RF-03  red-flag        2      0         0',
    ]);
  });
});
