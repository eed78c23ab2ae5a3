/** The run/flow/packet/event model shared by scenario and capture runs, and its builders. */
export type * from './run.js';
export { REPORT_SCHEMA_VERSION } from './run.js';
export { blockedFlowsText, blockedPacket, blockedText, countWord, describeWithText, packetRow, type PacketExtra } from './build.js';
