/** Runs the real syntax checkers on exported rulesets, each in a throwaway network namespace. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

const TOOLS = ['unshare', 'nft', 'iptables-restore', 'ip6tables-restore'];

/** Why the checkers cannot run here (not root, a missing tool), or undefined when they can. */
export const checkerUnavailable: string | undefined =
  process.getuid?.() !== 0 ? 'not root' : TOOLS.filter((t) => !has(t)).map((t) => `missing ${t}`).join(', ') || undefined;

/** Runs `tool args… FILE` on the text inside `unshare --net`, so nothing touches the host's tables. */
export function runChecker(tool: 'nft' | 'iptables-restore' | 'ip6tables-restore', text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ftpw-check-'));
  try {
    const file = join(dir, 'ruleset');
    writeFileSync(file, text);
    const args = tool === 'nft' ? ['-c', '-f', file] : ['--test', file];
    const r = spawnSync('unshare', ['--net', tool, ...args], { encoding: 'utf8', timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
