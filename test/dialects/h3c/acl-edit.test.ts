import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diag/diagnostic.js';
import { setStep } from '../../../src/dialects/h3c/acl-edit.js';
import { parseVendorConfig } from '../../../src/dialects/h3c/parser.js';
import { aclOf, brief, briefs, fixture, text, texts } from './helpers.js';

// Comware references, `rule (IPv4 advanced ACL view)`: an automatic id "takes the nearest higher
// multiple of the numbering step to the current highest rule ID, starting from 0. For example, if
// the rule numbering step is 5 and the current highest rule ID is 28, the rule is numbered 30."
describe('automatic rule numbering', () => {
  it('numbers from 0 in steps of 5, and after an explicit 28 continues at 30', () => {
    const p = fixture('auto-numbering.cfg');
    expect(briefs(p)).toEqual([]);
    expect(aclOf(p, '3000').rules.map((r) => r.id)).toEqual([0, 5, 28, 30]);
  });

  it('uses the step set with step before the rules', () => {
    const p = fixture('step.cfg');
    expect(aclOf(p, '3000')).toMatchObject({ step: 10 });
    expect(aclOf(p, '3000').rules.map((r) => r.id)).toEqual([0, 10]);
  });

  it('goes to the next multiple strictly above the highest id, even when the highest is a multiple', () => {
    const p = text('acl advanced 3000\n rule 30 deny ip\n rule permit tcp\n');
    expect(aclOf(p, '3000').rules.map((r) => r.id)).toEqual([30, 35]);
  });

  it('renumbers existing rules from 0 when the step changes after them, and says so', () => {
    const p = text('acl advanced 3000\n rule 5 permit tcp\n rule 10 permit udp\n step 2\n rule deny ip\n');
    expect(texts(aclOf(p, '3000'))).toEqual(['rule 0 permit tcp', 'rule 2 permit udp', 'rule 4 deny ip']);
    expect(briefs(p)).toEqual([
      "4:2 warning: step 2 renumbers the existing rules of acl 3000 from 0 (5→0, 10→2), as Comware documents (put 'step' before the rules to keep their ids)",
    ]);
  });

  // Sheet 2.3 (C7-sw-en): "rules are in the match order of 0, 10, and 5. Changing the numbering step to 2
  // renumbers rules 0, 10, and 5 (not 0, 5, and 10) as rules 0, 2, 4."
  it('renumbers a match-order auto ACL in its match order, not by id', () => {
    // depth-first: rule 0 (tcp, host source) first, then rule 10 (tcp, /24 source), then rule 5 (ip)
    const p = text('acl advanced 3000 match-order auto\n rule 0 permit tcp source 10.0.0.1 0\n rule 5 deny ip\n rule 10 permit tcp source 10.0.0.0 0.0.0.255\n step 2\n');
    expect(texts(aclOf(p, '3000'))).toEqual(['rule 0 permit tcp source 10.0.0.1 0', 'rule 2 permit tcp source 10.0.0.0 0.0.0.255', 'rule 4 deny ip']);
    expect(briefs(p)).toEqual([
      "5:2 warning: step 2 renumbers the existing rules of acl 3000 from 0 in match order (0→0, 10→2, 5→4), as Comware documents (put 'step' before the rules to keep their ids)",
    ]);
    // the same rules in config order are renumbered by id
    const c = text('acl advanced 3000\n rule 0 permit tcp source 10.0.0.1 0\n rule 5 deny ip\n rule 10 permit tcp source 10.0.0.0 0.0.0.255\n step 2\n');
    expect(texts(aclOf(c, '3000'))).toEqual(['rule 0 permit tcp source 10.0.0.1 0', 'rule 2 deny ip', 'rule 4 permit tcp source 10.0.0.0 0.0.0.255']);
  });

  it('lists the first twelve renumberings of a large ACL and how many more', () => {
    const lines = ['acl advanced 3000', ...Array.from({ length: 40 }, (_, k) => ` rule ${k * 5} permit tcp destination-port eq ${1000 + k}`), ' step 2'];
    const p = text(lines.join('\n') + '\n');
    const pairs = Array.from({ length: 12 }, (_, k) => `${k * 5}→${k * 2}`).join(', ');
    expect(briefs(p)).toEqual([`42:2 warning: step 2 renumbers the existing rules of acl 3000 from 0 (${pairs}, … 28 more), as Comware documents (put 'step' before the rules to keep their ids)`]);
    expect(texts(aclOf(p, '3000')).at(-1)).toBe('rule 78 permit tcp destination-port eq 1039');
  });

  it('reports when no automatic id is left below 65534', () => {
    const p = text('acl advanced 3000\n rule 65534 deny ip\n rule permit tcp\n');
    expect(briefs(p)).toEqual(['3:2 error: no rule id left in acl 3000: the next multiple of step 5 is 65535, above 65534 (give the rule an explicit id)']);
  });

  it('rejects a rule id above 65534', () => {
    expect(briefs(text('acl advanced 3000\n rule 65535 deny ip\n'))).toEqual(['2:7 error: rule id 65535 is out of range (0-65534)']);
  });
});

// "When modifying a rule of such an ACL, you may choose to change just some of the settings, in
// which case the other settings remain the same." (Comware ACL command reference, match-order config)
describe('re-defining an existing rule id', () => {
  const p = fixture('redefine.cfg');

  it('merges the new options into the old rule, which keeps its id and position', () => {
    expect(texts(aclOf(p, '3000'))).toEqual([
      'rule 5 deny tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024 logging',
      'rule 10 deny ip',
    ]);
    expect(aclOf(p, '3000').rules[0]!.at.line).toBe(4);
  });

  it('says what the edit did', () => {
    expect(briefs(p)[1]).toBe(
      "4:2 info: rule 5 of acl 3000 is edited in place: 'permit tcp source 192.168.10.1 0 source-port eq 21 logging' becomes 'deny tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024 logging' (Comware keeps the options not given)",
    );
  });

  it('refuses an edit that would leave ports on a non-TCP/UDP rule', () => {
    const q = text('acl advanced 3000\n rule 0 permit tcp destination-port eq 21\n rule 0 permit icmp\n');
    expect(briefs(q)).toEqual([
      '3:2 error: editing rule 0 of acl 3000 would leave it invalid: source-port and destination-port apply only to tcp or udp rules',
    ]);
    expect(texts(aclOf(q, '3000'))).toEqual(['rule 0 permit tcp destination-port eq 21']);
  });

  it('refuses to edit a rule of a match-order auto ACL', () => {
    const q = text('acl advanced 3000 match-order auto\n rule 0 permit tcp\n rule 0 deny tcp\n');
    expect(briefs(q)).toEqual([
      "3:2 error: rule 0 already exists in acl 3000, which uses match-order auto: Comware edits rules only in match-order config (remove it first with 'undo rule 0')",
    ]);
    expect(texts(aclOf(q, '3000'))).toEqual(['rule 0 permit tcp']);
  });

  it('refuses a rule identical to an existing one', () => {
    const q = text('acl advanced 3000\n rule 0 deny ip\n rule deny ip\n');
    expect(briefs(q)).toEqual([
      '3:2 warning: this rule repeats rule 0 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
    ]);
    expect(aclOf(q, '3000').rules).toHaveLength(1);
  });

  // Sheet 2.6: identical content is refused; a port name and its number are the same content.
  it('refuses a rule written eq ftp when one with eq 21 exists, and the other way round', () => {
    const q = text('acl advanced 3000\n rule 0 permit tcp destination-port eq 21\n rule 5 permit tcp destination-port eq ftp\n rule 10 permit udp source-port eq dns\n rule 15 permit udp source-port eq 53\n rule 20 permit tcp destination-port eq www\n');
    expect(briefs(q)).toEqual([
      '3:2 warning: this rule repeats rule 0 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
      '5:2 warning: this rule repeats rule 10 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
    ]);
    expect(texts(aclOf(q, '3000'))).toEqual(['rule 0 permit tcp destination-port eq 21', 'rule 10 permit udp source-port eq dns', 'rule 20 permit tcp destination-port eq www']);
  });

  it('refuses an icmp-type written by name when the same type and code exist as numbers', () => {
    const q = text('acl advanced 3000\n rule 0 permit icmp icmp-type 8 0\n rule 5 permit icmp icmp-type echo\n');
    expect(briefs(q)).toEqual([
      '3:2 warning: this rule repeats rule 0 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
    ]);
  });
});

describe('undo rule and rule comments', () => {
  const p = fixture('undo-rule.cfg');

  it('removes a whole rule, or only the named settings of a rule', () => {
    expect(texts(aclOf(p, '3000'))).toEqual(['rule 0 permit tcp source-port eq 21', 'rule 10 deny ip']);
    expect(aclOf(p, '3000').rules[0]!.unsimulated).toBeUndefined();
  });

  it('attaches rule N comment to the rule', () => {
    expect(aclOf(p, '3000').rules[0]!.comment).toBe('control replies');
  });

  it('reports undo of a rule that does not exist, and a comment on one', () => {
    const q = text('acl advanced 3000\n undo rule 5\n rule 5 comment hello\n undo rule 0 bogus\n');
    expect(briefs(q)).toEqual([
      '2:12 error: rule 5 does not exist in acl 3000',
      "3:7 error: rule 5 does not exist in acl 3000 (Comware accepts 'rule N comment' only for an existing rule)",
      "4:14 error: 'undo rule' cannot remove 'bogus'",
    ]);
  });
});

// `undo rule` leaves a hole in the batch's rules instead of moving every later rule (acl-draft.ts): what a
// config sees must be exactly what removing from a list gives, whatever the order of the removals.
describe('undo rule over many rules', () => {
  /** `count` rules with ids 0, 5, 10, … and a distinct statement each (destination port 1000 + k). */
  const ruleLines = (count: number): string[] => Array.from({ length: count }, (_, k) => ` rule ${k * 5} permit tcp destination-port eq ${1000 + k}`);

  it('keeps the remaining rules in creation order, however many are removed and in which order', () => {
    for (const removeIf of [(k: number) => k % 3 === 0, (k: number) => k % 4 !== 0, (k: number) => k < 250]) {
      const count = 300;
      // the removals: from the first rule upward, then from the last downward, interleaved
      const gone = Array.from({ length: count }, (_, k) => k).filter(removeIf);
      const order = gone.flatMap((k, i) => (i % 2 === 0 ? [k] : [])).concat(gone.filter((_, i) => i % 2 === 1).reverse());
      const p = text(['acl advanced 3000', ...ruleLines(count), ...order.map((k) => ` undo rule ${k * 5}`)].join('\n') + '\n');
      expect(briefs(p)).toEqual([]);
      const kept = Array.from({ length: count }, (_, k) => k).filter((k) => !removeIf(k));
      expect(texts(aclOf(p, '3000'))).toEqual(kept.map((k) => `rule ${k * 5} permit tcp destination-port eq ${1000 + k}`));
    }
  });

  it('finds a duplicate, a rule to comment and a rule to re-define past the holes', () => {
    const lines = ['acl advanced 3000', ...ruleLines(200)];
    for (let k = 0; k < 150; k++) lines.push(` undo rule ${k * 5}`);
    // rule 900 (k = 180) is still there: its statement again under a new id is refused, naming it
    lines.push(' rule 2000 permit tcp destination-port eq 1180', ' rule 905 comment kept', ' rule 910 deny tcp logging', ' rule 0 permit tcp destination-port eq 1000');
    const p = text(lines.join('\n') + '\n');
    expect(briefs(p)).toEqual([
      '352:2 warning: this rule repeats rule 900 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
      "354:2 info: rule 910 of acl 3000 is edited in place: 'permit tcp destination-port eq 1182' becomes 'deny tcp destination-port eq 1182 logging' (Comware keeps the options not given)",
      '354:20 warning: logging is not simulated: the rule matches as usual and nothing is logged',
    ]);
    const acl = aclOf(p, '3000');
    expect(acl.rules.length).toBe(51);
    expect(acl.rules.find((r) => r.id === 905)?.comment).toBe('kept');
    // match-order config: evaluated by id, so the rule added last (id 0) comes first
    expect(texts(acl).slice(0, 2)).toEqual(['rule 0 permit tcp destination-port eq 1000', 'rule 750 permit tcp destination-port eq 1150']);
    expect(acl.rules.find((r) => r.id === 910)?.text).toBe('rule 910 deny tcp destination-port eq 1182 logging');
  });

  it('numbers the next rule above the highest id left after the highest ones were removed', () => {
    // ids on both sides of 32-bit word boundaries (the draft keeps a bit per id once the highest goes)
    const p = text(
      [
        'acl advanced 3000',
        ' step 1',
        ' rule 0 deny tcp destination-port eq 1',
        ' rule 31 deny tcp destination-port eq 2',
        ' rule 32 deny tcp destination-port eq 3',
        ' rule 63 deny tcp destination-port eq 4',
        ' rule 64 deny tcp destination-port eq 5',
        ' undo rule 64',
        ' undo rule 63',
        ' rule permit tcp destination-port eq 10',
        ' undo rule 33',
        ' undo rule 32',
        ' rule permit tcp destination-port eq 11',
        ' undo rule 32',
        ' undo rule 31',
        ' rule permit tcp destination-port eq 12',
        ' undo rule 1',
        ' undo rule 0',
        ' rule permit tcp destination-port eq 13',
      ].join('\n') + '\n',
    );
    expect(briefs(p)).toEqual([]);
    expect(texts(aclOf(p, '3000'))).toEqual(['rule 0 permit tcp destination-port eq 13']);
    const q = text('acl advanced 3000\n rule 0 deny udp\n rule 5 deny tcp\n rule 10 deny icmp\n undo rule 10\n undo rule 5\n rule permit ip\n step 1\n rule deny gre\n');
    // 5, the next multiple of 5 above 0; then step 1 renumbers 0, 5 as 0, 1 and the next is 2
    expect(texts(aclOf(q, '3000'))).toEqual(['rule 0 deny udp', 'rule 1 permit ip', 'rule 2 deny gre']);
    // rules added after the first removal of the highest count too: 1 and 2 are added, 2 goes, 1 is the highest
    const r = text('acl advanced 3000\n step 1\n rule 0 deny udp\n rule 10 deny tcp\n undo rule 10\n rule permit tcp\n rule permit icmp\n undo rule 2\n rule deny gre\n');
    expect(briefs(r)).toEqual([]);
    expect(texts(aclOf(r, '3000'))).toEqual(['rule 0 deny udp', 'rule 1 permit tcp', 'rule 2 deny gre']);
  });
});

// A change script may enter a large ACL's view once per rule: the parser keeps a large ACL's batch of edits
// open when its view is left (acl-view.ts, parkedAcls) and takes it up again at the next visit. Every visit
// must see the rules of the earlier ones, as when each view's edits were stored on leaving it.
describe('entering a large ACL view again', () => {
  const rules = (count: number): string[] => Array.from({ length: count }, (_, k) => ` rule ${k * 5} permit tcp destination-port eq ${1000 + k}`);

  it('continues the rules, their ids, duplicates, comments and undos of the earlier visits', () => {
    const p = text(
      [
        'acl advanced 3000',
        ...rules(300),
        '#',
        'interface GigabitEthernet1/0/1',
        ' packet-filter 3000 inbound',
        '#',
        'acl advanced 3000',
        ' rule permit udp',
        ' undo rule 5',
        ' rule 10 comment second visit',
        '#',
        'acl advanced 3000',
        ' rule 7 permit tcp destination-port eq 1002',
        ' rule 1500 deny ip',
      ].join('\n') + '\n',
    );
    expect(briefs(p)).toEqual([
      '312:2 warning: this rule repeats rule 10 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
      "313:2 info: rule 1500 of acl 3000 is edited in place: 'permit udp' becomes 'deny ip' (Comware keeps the options not given)",
    ]);
    const acl = aclOf(p, '3000');
    // 300 rules, one added (1500: the next multiple of 5 above 1495), one undone
    expect(acl.rules.length).toBe(300);
    expect(texts(acl).slice(0, 2)).toEqual(['rule 0 permit tcp destination-port eq 1000', 'rule 10 permit tcp destination-port eq 1002']);
    expect(texts(acl).at(-1)).toBe('rule 1500 deny ip');
    expect(acl.rules.find((r) => r.id === 10)?.comment).toBe('second visit');
  });

  it('refuses a new match order for an ACL whose rules came in an earlier visit', () => {
    const p = text(['acl advanced 3000', ...rules(300), '#', 'acl advanced 3000 match-order auto', ' rule permit ip'].join('\n') + '\n');
    expect(briefs(p)).toEqual(["303:19 error: cannot change the match order of acl 3000: it already has rules (Comware changes the match order only of an empty ACL)"]);
    expect(aclOf(p, '3000').rules.length).toBe(300);
  });

  it('gives the same ACLs when the views of several large ACLs are entered in turn, one rule each', () => {
    // 3 ACLs × 400 rules, one view per rule, in turn; against the same rules written one ACL at a time
    const turns: string[] = [];
    const whole: string[][] = [[], [], []];
    for (let k = 0; k < 1200; k++) {
      const a = k % 3;
      const line = ` rule ${Math.floor(k / 3) * 5} ${k % 2 ? 'permit' : 'deny'} udp destination-port eq ${2000 + k}`;
      turns.push(`acl advanced ${3000 + a}`, line, '#');
      whole[a]!.push(line);
    }
    const p = text(turns.join('\n') + '\n');
    const q = text(whole.flatMap((lines, a) => [`acl advanced ${3000 + a}`, ...lines, '#']).join('\n') + '\n');
    expect(briefs(p)).toEqual([]);
    for (const name of ['3000', '3001', '3002']) {
      expect(aclOf(p, name).rules.length).toBe(400);
      expect(texts(aclOf(p, name))).toEqual(texts(aclOf(q, name)));
    }
  });
});

// Every ACL edit is an immer transform (DESIGN.md, Performance targets: immer for configuration
// transforms): a later edit yields a new frozen state and cannot reach into a state kept earlier.
describe('ACL edits as immutable states', () => {
  it('leaves the state before step 10 unchanged when step renumbers the rules, and freezes the produced states', () => {
    const { config, diagnostics } = parseVendorConfig('acl advanced 3000\n rule 5 permit tcp\n rule 7 permit udp\n', 't.cfg');
    expect(diagnostics).toEqual([]);
    const before = config.acls[0]!;
    const firstRuleBefore = before.rules[0]!;
    const diags: Diagnostic[] = [];
    const after = setStep(before, 10, before.at, diags);
    expect(diags.map(brief)).toEqual([
      "1:1 warning: step 10 renumbers the existing rules of acl 3000 from 0 (5→0, 7→10), as Comware documents (put 'step' before the rules to keep their ids)",
    ]);
    expect(after.step).toBe(10);
    expect(after.rules.map((r) => r.id)).toEqual([0, 10]);
    expect(before.step).toBe(5);
    expect(before.rules.map((r) => r.id)).toEqual([5, 7]);
    expect(firstRuleBefore.id).toBe(5);
    for (const state of [before, after]) {
      expect(Object.isFrozen(state)).toBe(true);
      expect(Object.isFrozen(state.rules)).toBe(true);
      expect(state.rules.every((r) => Object.isFrozen(r))).toBe(true);
    }
    // In-place mutation, as the pre-immer setStep did, now fails loudly (ES modules run in strict mode).
    expect(() => {
      (after.rules[0] as { id: number }).id = 99;
    }).toThrow(TypeError);
    expect(after.rules[0]!.id).toBe(0);
  });
});
