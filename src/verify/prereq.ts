/** What a kernel run needs from the machine: root, network namespaces and the tools. */
import { spawnSync } from 'node:child_process';

/** Tools the kernel runner calls, with the Debian package that provides each. */
export const KERNEL_TOOLS: readonly (readonly [tool: string, pkg: string])[] = [
  ['ip', 'iproute2'],
  ['nft', 'nftables'],
  ['vsftpd', 'vsftpd'],
  ['tcpdump', 'tcpdump'],
  ['conntrack', 'conntrack'],
];

/** The Debian packages a kernel run needs (tshark is not among them). */
export const KERNEL_PACKAGES: readonly string[] = ['iproute2', 'nftables', 'iptables', 'conntrack', 'tcpdump', 'vsftpd'];

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', timeout: 5000 }).status === 0;
}

/** Whether a kernel run can work here; `missing` names what is not (e.g. "root", "vsftpd (apt-get install vsftpd)"). */
export function checkPrerequisites(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push('Linux');
  if (process.getuid?.() !== 0) missing.push('root');
  for (const [tool, pkg] of KERNEL_TOOLS) if (!onPath(tool)) missing.push(`${tool} (apt-get install -y ${pkg})`);
  if (missing.length === 0) {
    // `ip netns list` fails without namespace support (or without permission to use it).
    const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) missing.push(`ip netns (${(r.stderr ?? '').trim() || 'not usable'})`);
  }
  return { ok: missing.length === 0, missing };
}
