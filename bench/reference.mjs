// The numbers bench/run.mjs compares with (docs/performance.md): case (a) before the issue-16 work, and the peer.
export const BEFORE = {
  /** main at 755d984, this machine, 10 connections: server CPU per call of (a) and its ratio to the floor (d). */
  cpuMs: 0,
  cpuRatioToFloor: 0,
};

export const PEERS = {
  /**
   * AHRQ CQL Services with its model-info cache, same body, same machine, back to back (issue 16): 4.0 ms of server
   * CPU per call where ours took 4.4 ms.
   */
  ahrqCpuPerOurs: 4.0 / 4.4,
};
