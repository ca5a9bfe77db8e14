import { z } from 'zod';
import { yearsBetween } from '../dates';
import type { Evidence } from '../finding';
import type { DataNote } from '../record';
import { DATA_NOTE_CODES } from '../vocabulary';
import type { FactDefinition } from './context';

/** `patientAge` (SC-01): age in whole years at the evaluation date; `known` is false without a birth date. */
export const patientAge: FactDefinition<Record<string, never>> = {
  id: 'patientAge',
  params: z.strictObject({}),
  compute: (_params, context) => {
    const { birthDay, today, patient } = context.record;
    if (birthDay === undefined) {
      return {
        known: false,
        evidence: [{ kind: 'data', reference: `Patient/${patient.id ?? ''}`, data: { issue: 'no-birth-date' } }],
      };
    }
    const years = yearsBetween(birthDay, today);
    return {
      known: true,
      years,
      evidence: [{ kind: 'age', reference: `Patient/${patient.id ?? ''}`, value: `${years}` }],
    };
  },
};

/**
 * `firedRules` (RF-C, RF-07 c): how many of the named rules fired. Those rules must have a higher
 * priority, so they have run; the loader checks this. Not cached: its value grows during a run.
 */
export const firedRules: FactDefinition<{ ids: string[] }> = {
  id: 'firedRules',
  params: z.strictObject({ ids: z.array(z.string().min(1)).min(1) }),
  references: (params) => ({ rules: params.ids }),
  cache: false,
  compute: (params, _context, results) => {
    const fired = results.filter((result) => result.result && params.ids.includes(result.name));
    // The evidence of each contributing rule is added to the finding after the run (rules-engine.ts).
    const evidence: Evidence[] = fired.map((result) => ({ kind: 'rule', text: result.name }));
    return { count: fired.length, ids: fired.map((result) => result.name), evidence };
  },
};

/** `recordNotes` (DQ-01): what could not be read when the record was gathered and normalised. */
export const recordNotes: FactDefinition<{ codes: DataNote['code'][] }> = {
  id: 'recordNotes',
  params: z.strictObject({ codes: z.array(z.enum(DATA_NOTE_CODES)).min(1) }),
  compute: (params, context) => {
    const notes = context.record.notes.filter((note) => params.codes.includes(note.code));
    return {
      count: notes.length,
      evidence: notes.map((note) => ({
        kind: 'data' as const,
        ...(note.reference ? { reference: note.reference } : {}),
        data: note.detail,
        ...(note.text === undefined ? {} : { text: note.text }),
        ...(note.value === undefined ? {} : { value: note.value }),
        ...(note.date === undefined ? {} : { date: note.date }),
      })),
    };
  },
};
