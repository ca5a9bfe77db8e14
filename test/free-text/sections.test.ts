import fc from 'fast-check';
import { repositoryTextKnowledge } from '../support/text-knowledge';

/**
 * Section headers on a line of their own (issue 12): "Familieanamnese:", "VG:" and their variants give their
 * modifier to the lines below, up to a blank line, a SOEP prefix or the next "Label:" line.
 */
const cancer = repositoryTextKnowledge().lists.get('cancer');

const statuses = (text: string) =>
  (cancer?.mentions([{ reference: 'Observation/o1', field: 'valueString', text, date: '2026-11-20' }]) ?? []).map(
    (m) => m.status
  );

const FAMILY_HEADERS = [
  'Familieanamnese:',
  'Fam. anamnese:',
  'FA:',
  'Family history:',
  'Antécédents familiaux :',
  'ATCD familiaux:',
];
const HISTORY_HEADERS = ['Voorgeschiedenis:', 'VG:', 'Past medical history:', 'PMH:', 'Antécédents :', 'ATCD:'];
const LINES = ['borstkanker', 'prostaatca', 'coloncarcinoom 2014', 'cancer du sein', 'lung cancer', 'mamma-ca'];
const bullet = fc.constantFrom('- ', '* ', '• ', '');
const newline = fc.constantFrom('\n', '\r\n');
const others = fc.array(fc.constantFrom('DM2', 'hypertensie', 'CVA 2019', 'asthma'), { maxLength: 3 });

describe('section headers on a line of their own', () => {
  it('a family-history block makes every cancer line below it a family mention', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FAMILY_HEADERS),
        fc.constantFrom(...LINES),
        bullet,
        newline,
        others,
        (header, line, mark, nl, rest) => {
          const text = [header, ...rest.map((r) => mark + r), mark + line].join(nl);
          expect(statuses(text)).toEqual(['family']);
        }
      )
    );
  });

  it('a history block keeps the cancer as history (RF-05 counts a past cancer)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HISTORY_HEADERS),
        fc.constantFrom(...LINES),
        bullet,
        newline,
        (header, line, mark, nl) => {
          expect(statuses(`${header}${nl}${mark}${line}`)).toEqual(['historical']);
        }
      )
    );
  });

  it('the block ends at a blank line, a SOEP prefix or the next label', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FAMILY_HEADERS),
        fc.constantFrom('\n\n', '\nS: ', '\nMedicatie:\n', '\nAnamnese: ', '\r\n\r\n'),
        // Undated lines: a year would make the mention historical by itself.
        fc.constantFrom(...LINES.filter((line) => !/\d/u.test(line))),
        (header, end, line) => {
          expect(statuses(`${header}\n- DM2${end}${line}`)).toEqual(['affirmed']);
        }
      )
    );
  });

  it('a header with text after it on the same line is an inline trigger, not a block', () => {
    expect(statuses('FA: vader prostaatca\n- mammaca')).toEqual(['family', 'affirmed']);
    expect(statuses('Familieanamnese')).toEqual([]);
    expect(statuses('Patiënt vertelt:\n- borstkanker')).toEqual(['affirmed']);
  });
});
