/**
 * Link-layer type numbers (tcpdump.org LINKTYPE_* registry) and the names used
 * in messages. Only the types the frame decoder understands are named here.
 */

/** BSD loopback: 4-byte address family in the capturing host's byte order. */
export const LINKTYPE_NULL = 0;
/** Ethernet II (with optional 802.1Q / 802.1ad tags). */
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW on BSD systems (12): raw IPv4 or IPv6, version from the first nibble. */
export const LINKTYPE_RAW_BSD = 12;
/** DLT_RAW on OpenBSD (14): raw IP as well. */
export const LINKTYPE_RAW_OPENBSD = 14;
/** Raw IP (101): IPv4 or IPv6, version from the first nibble. */
export const LINKTYPE_RAW = 101;
/** OpenBSD loopback: 4-byte address family in network byte order. */
export const LINKTYPE_LOOP = 108;
/** Linux cooked capture v1 (16-byte header). */
export const LINKTYPE_LINUX_SLL = 113;
/** Raw IPv4 only. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6 only. */
export const LINKTYPE_IPV6 = 229;
/** Linux cooked capture v2 (20-byte header), written by `tcpdump -i any`. */
export const LINKTYPE_LINUX_SLL2 = 276;

const LINK_NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'NULL'],
  [LINKTYPE_ETHERNET, 'ETHERNET'],
  [6, 'IEEE802_5'],
  [9, 'PPP'],
  [10, 'FDDI'],
  [LINKTYPE_RAW_BSD, 'RAW'],
  [LINKTYPE_RAW_OPENBSD, 'RAW'],
  [50, 'PPP_HDLC'],
  [51, 'PPP_ETHER'],
  [LINKTYPE_RAW, 'RAW'],
  [104, 'C_HDLC'],
  [105, 'IEEE802_11'],
  [LINKTYPE_LOOP, 'LOOP'],
  [LINKTYPE_LINUX_SLL, 'LINUX_SLL'],
  [127, 'IEEE802_11_RADIOTAP'],
  [147, 'USER0'],
  [189, 'USB_LINUX'],
  [220, 'USB_LINUX_MMAPPED'],
  [LINKTYPE_IPV4, 'IPV4'],
  [LINKTYPE_IPV6, 'IPV6'],
  [239, 'NFLOG'],
  [LINKTYPE_LINUX_SLL2, 'LINUX_SLL2'],
]);

/** `105 (IEEE802_11)`, or the bare number for an unnamed type. */
export function describeLinkType(linkType: number): string {
  const name = LINK_NAMES.get(linkType);
  return name === undefined ? String(linkType) : `${linkType} (${name})`;
}

/** EtherType values (IEEE registry) that the decoder names or follows. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag, still seen on older switches. */
export const ETHERTYPE_QINQ_OLD = 0x9100;

const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [ETHERTYPE_ARP, 'ARP'],
  [0x0842, 'Wake-on-LAN'],
  [0x8035, 'RARP'],
  [0x8137, 'IPX'],
  [0x8809, 'slow protocols (LACP)'],
  [0x8847, 'MPLS'],
  [0x8848, 'MPLS multicast'],
  [0x8863, 'PPPoE discovery'],
  [0x8864, 'PPPoE session'],
  [0x888e, 'EAPOL'],
  [0x88cc, 'LLDP'],
  [0x88f7, 'PTP'],
  [0x9000, 'loopback (CTP)'],
]);

/** The skip reason for a frame whose EtherType is not IP: `ARP (ethertype 0x0806)`. */
export function describeEtherType(etherType: number): string {
  const hex = `0x${etherType.toString(16).padStart(4, '0')}`;
  const name = ETHERTYPE_NAMES.get(etherType);
  return name === undefined ? `ethertype ${hex}` : `${name} (ethertype ${hex})`;
}
