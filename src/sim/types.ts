/**
 * The seam between the simulator's chip-protocol emulation (src/sim/chain) and its physics
 * (src/sim/physics). The chain asks, per chip, what the physics allows at the chip's current
 * PLL frequency; the physics reads each chip's frequency from the chain to compute power and heat.
 */
export interface ChipPhysics {
  /** Hashes per second at this frequency (cores x frequency x hashes per core-cycle). */
  hashrateHps(freqMHz: number): number;
  /** Probability in [0,1] that a nonce this chip returns is wrong (an HW error), now. */
  hwErrorProbability(freqMHz: number): number;
  /**
   * False when the chip does not answer: dead (fault), or pushed so far beyond its limit that it
   * hung (it stays hung until the chain is reset: the physics latches that state).
   */
  responsive(freqMHz: number): boolean;
}

/** What a simulated chain needs from its board: power to the chips. */
export interface ChainSupply {
  /** True when the regulator is enabled and its voltage is high enough for the chips to run. */
  powered(): boolean;
}
