import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExerciseKnowledgeError, loadExerciseKnowledge, PLAN_FILE } from './exercise-knowledge';

const DIR = path.join(__dirname, '..', '..', '..', 'fhir-resources', 'knowledge');

describe('loadExerciseKnowledge', () => {
  it('reads every exercise type with its dose rows, PG-01…PG-12 and the conditional notes', () => {
    const knowledge = loadExerciseKnowledge(DIR);
    expect([...knowledge.activities.keys()]).toEqual([
      'aerobic',
      'strength',
      'flexibility',
      'neuromotor',
      'functional',
      'run-walk',
      'high-intensity',
      'mind-body',
    ]);
    expect([...(knowledge.activities.get('strength')?.doses.keys() ?? [])].sort()).toEqual([
      'novice',
      'older-adult',
      'standard',
    ]);
    expect(knowledge.activities.get('strength')?.doses.get('standard')?.timing).toEqual({
      repeat: { frequency: 2, frequencyMax: 3, period: 1, periodUnit: 'wk' },
    });
    expect(knowledge.programmeRules.map((rule) => rule.id)).toHaveLength(12);
    expect(knowledge.planCanonical).toBe(
      'https://ruggensteun.org/fhir/PlanDefinition/lbp-exercise-programme|2026.11.0'
    );
  });

  describe('refuses broken knowledge, naming the file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'knowledge-'));
      cpSync(DIR, dir, { recursive: true });
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const edit = (file: string, change: (text: string) => string) => {
      const full = path.join(dir, file);
      writeFileSync(full, change(readFileSync(full, 'utf8')));
    };

    it.each([
      [
        'a missing standard dose',
        'ActivityDefinition-exercise-strength.json',
        (t: string) => t.replace('"valueCode": "standard"', '"valueCode": "typical"'),
        /exercise-strength\.json: no standard dose/,
      ],
      [
        'a conditional note the programme needs',
        PLAN_FILE,
        (t: string) => t.replace('"id": "TS-28"', '"id": "TS-98"'),
        /no conditional note TS-28/,
      ],
      ['an unreadable file', 'ActivityDefinition-exercise-aerobic.json', () => '{', /exercise-aerobic\.json/],
    ])('%s', (_name, file, change, message) => {
      edit(file, change);
      expect(() => loadExerciseKnowledge(dir)).toThrow(ExerciseKnowledgeError);
      expect(() => loadExerciseKnowledge(dir)).toThrow(message);
    });
  });
});
