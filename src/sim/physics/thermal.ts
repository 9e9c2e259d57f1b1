/**
 * Thermal RC model of one hash board: the heatsink/PCB is one node of heat capacity C (J/K)
 * coupled to the inlet air by a conductance G that grows with fan airflow. Chip dies sit above
 * the heatsink by (chip power x die rise) plus a gradient along the airflow (chips downstream
 * see warmer air), which shrinks as the airflow grows. Pure: `step(dtMs, ...)` takes time as an
 * argument and integrates exactly for a constant input over the step.
 */
export class BoardThermal {
  private boardC: number;

  constructor(
    private readonly heatCapacityJPerK: number,
    initialC: number,
  ) {
    this.boardC = initialC;
  }

  get temperatureC(): number {
    return this.boardC;
  }

  /** Forces the node temperature (tests, ambient start). */
  set(tempC: number): void {
    this.boardC = tempC;
  }

  /** Advances dtMs with heat input powerW, inlet temperature and conductance held constant. */
  step(dtMs: number, powerW: number, inletC: number, conductanceWPerK: number): number {
    const g = Math.max(1e-6, conductanceWPerK);
    const steady = steadyStateC(powerW, inletC, g);
    const tau = this.heatCapacityJPerK / g; // seconds
    const a = Math.exp(-Math.max(0, dtMs) / 1000 / tau);
    this.boardC = steady + (this.boardC - steady) * a;
    return this.boardC;
  }
}

export function steadyStateC(powerW: number, inletC: number, conductanceWPerK: number): number {
  return inletC + powerW / Math.max(1e-6, conductanceWPerK);
}

/**
 * Die temperature of chip `index` of `count` on a board at `boardC`.
 * gradientScale = (board heat / stock board heat) x (design conductance / conductance now).
 */
export function dieTemperatureC(
  boardC: number,
  chipPowerW: number,
  dieRiseCPerW: number,
  airflowGradientC: number,
  index: number,
  count: number,
  gradientScale: number,
): number {
  const position = count > 1 ? index / (count - 1) : 0;
  return boardC + chipPowerW * dieRiseCPerW + airflowGradientC * position * gradientScale;
}
