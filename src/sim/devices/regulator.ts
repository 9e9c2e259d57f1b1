/** What the board needs from a hash-board regulator controller (PIC, either API). */
import type { I2cWireDevice } from '../../hal/sim/i2c';

export interface RegulatorDevice extends I2cWireDevice {
  readonly enabled: boolean;
  readonly code: number;
  /** Fault switch: false = the controller does not answer on I2C. */
  present: boolean;
  readonly heartbeatTrips: number;
  checkWatchdog(): void;
}
