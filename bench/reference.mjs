// The numbers bench/run.mjs compares with (docs/performance.md): case (a) before the issue-16 work, and the peer.
export const BEFORE = {
  /**
   * Issue 16, measured on the 2-core reference machine before the work: about 1.4 ms of server CPU per call of (a),
   * 15–20× the CPU of a GET /healthz (d) of the same service; the ratio is the comparison that holds on a machine
   * of another speed or load, 17.5× its middle.
   */
  cpuMs: 1.4,
  cpuRatioToFloor: 17.5,
};

export const PEERS = {
  /**
   * AHRQ CQL Services with its model-info cache, the same body, the same machine, back to back (issue 16): 4.0 ms of
   * server CPU per call where ours took 4.4 ms, so its CPU per call was 4.0 / 4.4 of ours before the work.
   */
  ahrqCpuPerOurs: 4.0 / 4.4,
};
