/** Capture replay: topology, streaming replay with flow classification and data linking, pcapng export. */
export type * from './flow-types.js';
export { buildCaptureRun, type CaptureLabel, type CaptureRun, type CaptureSection } from './capture-run.js';
export { completeTopology, interfacesOf, scanCapture, serverInterface, type CaptureScan, type TopologyGuess } from './guess.js';
export { noteLine } from './report.js';
export { createCaptureExport, verdictComment, writeTracePcapng, type CaptureExport } from './pcap-out.js';
export { replayCapture, type ListedFlows, type PacketRowSink, type PacketTap, type PacketWindow, type ReplayCaptureOptions, type ReplayOutcome } from './replay.js';
export {
  checkInterfaces,
  describeTopology,
  locate,
  makeTopology,
  parseInsideOption,
  parseTopologyFile,
  type Topology,
  type TopologyEntry,
} from './topology.js';
