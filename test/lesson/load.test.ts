import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { loadLesson } from '../../src/lesson/load.js';
import { runLesson, type LessonReader } from '../../src/lesson/run.js';

const GOOD = `title: T
summary: S
scenario: scenario.yaml
config: lesson.cfg
steps:
  - say: first
  - at: { text: PASV }
    say: second
exercise:
  task: do it
  file: exercise.cfg
  solution: solution.cfg
  runs:
    - { scenario: scenario.yaml, works: true }
  limits:
    - { from: 192.168.10.1, to: 10.0.0.2, max: 0 }
    - { max: 10 }
  hints:
    works: a hint
`;

const messages = (text: string): string[] => loadLesson(text, 'lessons/x/lesson.yaml', 'x').diagnostics.map((d) => formatDiagnostic(d).split('\n')[0]!);

describe('loadLesson', () => {
  it('reads a lesson: steps with and without a packet selector, runs, limits and hints', () => {
    const r = loadLesson(GOOD, 'lessons/x/lesson.yaml', 'x');
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toMatchObject({
      name: 'x',
      title: 'T',
      steps: [{ say: 'first' }, { say: 'second', at: { text: 'PASV' } }],
      exercise: {
        task: 'do it',
        runs: [{ scenario: 'scenario.yaml', works: true }],
        limits: [{ from: '192.168.10.1', to: '10.0.0.2', max: 0 }, { max: 10 }],
        hints: { works: 'a hint' },
      },
    });
    expect(r.value!.steps[1]!.span).toMatchObject({ line: 7, column: 5 });
  });

  it('refuses an unknown key with its position and the keys allowed, and reports the missing one once', () => {
    expect(messages(GOOD.replace('  - say: first', '  - sya: first'))).toEqual([
      "lessons/x/lesson.yaml:6:5: error: unknown key 'sya' in a step (allowed: say, at)",
      'lessons/x/lesson.yaml:6:5: error: a step is missing \'say\'',
    ]);
    expect(messages(GOOD.replace('at: { text: PASV }', 'at: { txt: PASV }'))[0]).toBe("lessons/x/lesson.yaml:7:11: error: unknown key 'txt' in a step's 'at' (did you mean 'text'?)");
  });

  it('refuses a bad address in a limit and a limit with only one end', () => {
    expect(messages(GOOD.replace('from: 192.168.10.1, to', 'from: 192.168.10.300, to'))).toEqual([
      "lessons/x/lesson.yaml:16:15: error: 'from' '192.168.10.300' is not an IPv4 or IPv6 address",
    ]);
    expect(messages(GOOD.replace('{ max: 10 }', '{ from: 10.0.0.2, max: 10 }'))).toEqual([
      "lessons/x/lesson.yaml:17:7: error: an exposure limit names both 'from' and 'to', or neither",
    ]);
  });

  it('runLesson reports a step whose packet does not exist at the step, and writes nothing', () => {
    const lesson = loadLesson(GOOD.replace('text: PASV', 'text: EPSV'), 'lessons/x/lesson.yaml', 'x').value!;
    const read: LessonReader = (rel) => {
      const files: Record<string, string> = {
        'scenario.yaml': 'hosts:\n  c: { address: 10.0.0.2, interface: A }\n  s: { address: 192.168.10.1, interface: B }\nsessions:\n  - { client: c, server: s, steps: [login, list, quit] }\n',
        'lesson.cfg': 'acl advanced 3000\n rule permit ip\n',
      };
      return files[rel] !== undefined ? { text: files[rel]!, path: `lessons/x/${rel}` } : undefined;
    };
    const r = runLesson(lesson, read);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0])).toEqual([
      'lessons/x/lesson.yaml:7:5: error: no packet after packet 0 matches this step\'s \'at\' ({"text":"EPSV"}) in scenario × lessons/x/lesson.cfg',
    ]);
  });
});
