/** ICMP and ICMPv6 type names of nft (`icmp type echo-request`), by number (RFC 792, RFC 4443, RFC 4861). */
/** ICMP type names as nft prints them. */
export const ICMP_TYPES: ReadonlyMap<string, number> = new Map([
  ['echo-reply', 0],
  ['destination-unreachable', 3],
  ['source-quench', 4],
  ['redirect', 5],
  ['echo-request', 8],
  ['time-exceeded', 11],
  ['parameter-problem', 12],
  ['timestamp-request', 13],
  ['timestamp-reply', 14],
]);
/** ICMPv6 type names as nft prints them. */
export const ICMPV6_TYPES: ReadonlyMap<string, number> = new Map([
  ['destination-unreachable', 1],
  ['packet-too-big', 2],
  ['time-exceeded', 3],
  ['parameter-problem', 4],
  ['echo-request', 128],
  ['echo-reply', 129],
  ['nd-router-solicit', 133],
  ['nd-router-advert', 134],
  ['nd-neighbor-solicit', 135],
  ['nd-neighbor-advert', 136],
]);
