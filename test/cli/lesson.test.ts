import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ftpwall } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const LESSONS = readdirSync(resolve(ROOT, 'lessons')).sort();
const tmp = mkdtempSync(join(tmpdir(), 'ftpwall-lesson-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface LessonYaml {
  title: string;
  steps: { say: string }[];
  exercise: { hints: Record<string, string> };
}
const lessonYaml = (name: string): LessonYaml => parse(readFileSync(resolve(ROOT, 'lessons', name, 'lesson.yaml'), 'utf8')) as LessonYaml;

/** The text as the lesson prints it: wrapped, so compare with whitespace collapsed. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');

describe('ftpwall lesson', () => {
  it('lists the eight built-in lessons with their titles when given no name', () => {
    const r = ftpwall(['lesson']);
    expect(r.status).toBe(0);
    expect(LESSONS).toEqual(['active', 'bounce', 'expiry', 'ipv6', 'passive', 'split-port', 'stateful', 'static-ranges']);
    for (const name of LESSONS) expect(r.stdout).toContain(`  ${name.padEnd(14)} ${lessonYaml(name).title}\n`);
  });

  for (const name of LESSONS) {
    it(`${name}: runs end to end without a terminal, every step at its packet, ending with the exercise`, () => {
      const r = ftpwall(['lesson', name]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const y = lessonYaml(name);
      expect(r.stdout.startsWith(`Lesson ${name}: ${y.title}\n`)).toBe(true);
      const text = flat(r.stdout);
      y.steps.forEach((s, i) => {
        expect(r.stdout).toContain(`[${i + 1}/${y.steps.length}]\n`);
        expect(text).toContain(flat(s.say));
      });
      // each step shows its packet with the verdict and what decided it
      expect(r.stdout.match(/^ {2}packet \d+ at [\d.]+ s: /gm)?.length).toBe(y.steps.length);
      expect(r.stdout).toContain(`ftpwall lesson check ${name} YOUR-FILE.cfg`);
      // --all prints the same
      expect(ftpwall(['lesson', name, '--all']).stdout).toBe(r.stdout);
    });

    it(`${name}: the exercise accepts the committed solution`, () => {
      const r = ftpwall(['lesson', 'check', name, `lessons/${name}/solution.cfg`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toContain('✗');
      expect(r.stdout.trimEnd().endsWith(`Correct: the exercise of lesson ${name} is solved.`)).toBe(true);
      expect(r.status).toBe(0);
    });

    it(`${name}: the exercise refuses the unchanged starting file, with the lesson's hint`, () => {
      const r = ftpwall(['lesson', 'check', name, `lessons/${name}/exercise.cfg`]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^✗ /m);
      expect(r.stdout).toMatch(/Not yet: \d+ checks? failed\.\n$/);
      const hints = Object.values(lessonYaml(name).exercise.hints).map(flat);
      expect(hints.some((h) => flat(r.stdout).includes(`hint: ${h}`))).toBe(true);
    });
  }

  it('passive: refuses an answer that narrows the range but still lets the server open connections, with the exposure hint', () => {
    const answer = join(tmp, 'range-only.cfg');
    writeFileSync(answer, readFileSync(resolve(ROOT, 'lessons/passive/solution.cfg'), 'utf8').replace(' established\n', '\n'));
    const r = ftpwall(['lesson', 'check', 'passive', answer]);
    expect(r.status).toBe(1);
    // 64,511 (control) + 22 × 64,511 (client → server) + 21 × 64,511 (server → client, no `established`)
    expect(flat(r.stdout)).toContain(`✗ unsolicited connections between the scenarios' hosts, both ways: ${(64511 * 44).toLocaleString('en-US')} port pairs (at most 1,999,999 allowed)`);
    expect(flat(r.stdout)).toContain(`hint: ${flat(lessonYaml('passive').exercise.hints['exposure']!)}`);
    expect(flat(r.stdout)).toContain(`✓ lesson-passive × ${answer} [static]: FTP should work; FTP works`);
  });

  it('check: an answer with a config error is bad input, located, and nothing is graded', () => {
    const answer = join(tmp, 'typo.cfg');
    writeFileSync(answer, 'acl advanced 3000\n rele deny ip\n');
    const r = ftpwall(['lesson', 'check', 'active', answer]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${answer}:2:2: error: unknown command 'rele' (did you mean 'rule'?)`);
    expect(r.stdout).toBe('');
  });

  it('an unknown lesson name is bad input with the closest name suggested', () => {
    const r = ftpwall(['lesson', 'pasive']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: no lesson 'pasive'");
    expect(r.stderr).toContain("did you mean 'passive'?");
    const c = ftpwall(['lesson', 'check', 'stateful']);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain("'lesson check' needs a lesson name and a config file");
  });

  it('writes a lesson as a self-contained HTML step-through with the lesson text at its packets', () => {
    const out = join(tmp, 'stateful.html');
    const r = ftpwall(['lesson', 'stateful', '--format', 'html', '-o', out]);
    expect(r.status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    const data = JSON.parse(/<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!);
    const notes = data.runs[0].steps.flatMap((s: { notes: string[] }) => s.notes);
    expect(notes).toEqual(lessonYaml('stateful').steps.map((s) => s.say.trim()));
    expect(html).toContain('ftpwall lesson check stateful YOUR-FILE.cfg');
  });
});
