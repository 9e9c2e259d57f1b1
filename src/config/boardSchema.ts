/**
 * The board-definition JSON Schema (board/*.json, DESIGN "Board definitions ... validated by a
 * JSON Schema in config/") and the TypeScript type it validates into. One place for both: the
 * schema below validates into `BoardDefinition`; test/unit/config/boardSchema.test.ts keeps the two in
 * step (every shipped board validates, and every required key of the type is required here).
 */
export type ChipFamilyId = 'bm1485' | 'bm1489' | 'bm1366';

export interface FanDefinition {
  pwm: string;
  pwmPeriodNs: number;
  tachGpio: number;
  /**
   * The tach's line label in /proc/interrupts (stock L3+: "256:"/"254:", chips.md §1): the Linux
   * backend counts pulses there; without it, edges on tachGpio (sysfs, onoff).
   */
  tachIrq?: number;
  maxRpm: number;
  pulsesPerRev: number;
  /** Electrical power of the fan at 100 % duty (cube law below). */
  maxPowerW: number;
}

export interface ControllerDefinition {
  name: string;
  /** One UART device path per chain, in chain order. */
  uarts: string[];
  i2cBuses: string[];
  gpio: {
    chainReset: number[];
    chainPresent: number[];
    ledRed: number;
    ledGreen: number;
    beeper: number | null;
  };
  fans: FanDefinition[];
}

export interface RegulatorDefinition {
  /** 'pic-old': PIC16F1704 old byte API (chips.md §10.1); 'pic-framed': framed API, sw >= 0x80 (§10.2). */
  kind: 'pic-old' | 'pic-framed';
  /** Index into controller.i2cBuses. */
  bus: number;
  /** 7-bit I2C address per chain. */
  addresses: number[];
  /** V = codeOffsetV + codeSlopeV x code (chips.md §10.1/§14.15). */
  codeOffsetV: number;
  codeSlopeV: number;
  stockCode: number;
  /** The simulated PIC cuts the DC-DC after this long without a heartbeat (chips.md §17). */
  heartbeatTimeoutMs: number;
  softwareVersion: number;
  /** DC-DC conversion efficiency (board input power = chip power / efficiency). */
  efficiency: number;
}

export interface SensorDefinition {
  kind: 'tmp451';
  /** 'chip-iic': reached through a hash chip's I2C master (GENERAL_IIC, chips.md §10.3). */
  access: 'chip-iic' | 'bus';
  /** Chip addresses whose I2C master carries a sensor (one sensor per listed chip). */
  chipAddresses: number[];
  i2cAddress: number;
}

export interface EepromDefinition {
  kind: 'at24c02';
  bus: number;
  addresses: number[];
}

export interface ThermalLimits {
  targetC: number;
  hotC: number;
  dangerousC: number;
}

export interface HashBoardDefinition {
  chipFamily: ChipFamilyId;
  chains: number;
  chipsPerChain: number;
  coresPerChip: number;
  /** Hashes per core per clock cycle, calibrated so the stock board gives the published hashrate. */
  hashesPerCoreCycle: number;
  baud: number;
  freqMHz: { stock: number; min: number; max: number };
  /** Board (string) voltage; chip voltage = board voltage / domains. */
  voltage: { stockV: number; minV: number; maxV: number; domains: number };
  regulator: RegulatorDefinition;
  sensors: SensorDefinition[];
  eeprom: EepromDefinition | null;
  thermal: ThermalLimits;
}

export interface PsuDefinition {
  efficiency: number;
  /** A power monitor on I2C; `stock: false` marks an add-on the stock machine does not have. */
  telemetry: { kind: 'pmbus'; bus: number; address: number; stock: boolean } | null;
}

/** Physics parameters used only by the simulator (src/sim/physics). */
export interface SimParameters {
  controllerW: number;
  /** Share of chip power that is leakage at stock voltage and the reference die temperature. */
  leakageFraction: number;
  leakageDoublingC: number;
  referenceDieC: number;
  /** Die temperature above the heatsink per watt of chip power. */
  dieRiseCPerW: number;
  /** Extra temperature of the last chip in the airflow over the first. */
  airflowGradientC: number;
  boardHeatCapacityJPerK: number;
  naturalConductanceWPerK: number;
  /** Board (heatsink) temperature above inlet at stock power and the design fan duty. */
  designBoardRiseC: number;
  designFanDuty: number;
  fanTimeConstantMs: number;
  /** Typical chip's max stable frequency above stock (fraction), at stock voltage and reference die temperature. */
  stableHeadroom: number;
  stableSpread: number;
  weakChipsPerChain: number;
  weakHeadroom: number[];
  voltageExponent: number;
  /** Fractional loss of max stable frequency per degree above the reference die temperature. */
  tempDerate: number;
  /** Beyond (1 + hangMargin) x max stable frequency the chip hangs. */
  hangMargin: number;
  baseHwErrorProbability: number;
}

export interface BoardDefinition {
  id: string;
  name: string;
  /** 'documented': from readable sources; 'modelled': partly inferred (chips.md §17). */
  status: 'documented' | 'modelled';
  /**
   * The facts that are inferred or placeholders, by JSON pointer into this definition, with
   * what is known (chips.md §17): `kabosu diag --hardware` and the docs name them.
   */
  modelled?: Record<string, string>;
  published: { hashrateHps: number; wallPowerW: number; source: string };
  controller: ControllerDefinition;
  hashBoard: HashBoardDefinition;
  psu: PsuDefinition;
  sim: SimParameters;
}

const posNum = { type: 'number', exclusiveMinimum: 0 } as const;
const posInt = { type: 'integer', minimum: 1 } as const;
const addr7 = { type: 'integer', minimum: 0x03, maximum: 0x77 } as const;
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const;
const gpioNum = { type: 'integer', minimum: 0 } as const;

export const boardSchema = {
  $id: 'https://kabosu.dev/schema/board.json',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'status', 'published', 'controller', 'hashBoard', 'psu', 'sim'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' },
    name: { type: 'string', minLength: 1 },
    status: { type: 'string', enum: ['documented', 'modelled'] },
    modelled: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, propertyNames: { pattern: '^(/[A-Za-z0-9_]+)+$' } },
    published: {
      type: 'object',
      additionalProperties: false,
      required: ['hashrateHps', 'wallPowerW', 'source'],
      properties: { hashrateHps: posNum, wallPowerW: posNum, source: { type: 'string', minLength: 1 } },
    },
    controller: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'uarts', 'i2cBuses', 'gpio', 'fans'],
      properties: {
        name: { type: 'string' },
        uarts: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
        i2cBuses: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
        gpio: {
          type: 'object',
          additionalProperties: false,
          required: ['chainReset', 'chainPresent', 'ledRed', 'ledGreen', 'beeper'],
          properties: {
            chainReset: { type: 'array', items: gpioNum, minItems: 1 },
            chainPresent: { type: 'array', items: gpioNum, minItems: 1 },
            ledRed: gpioNum,
            ledGreen: gpioNum,
            beeper: { type: 'integer', minimum: 0, nullable: true },
          },
        },
        fans: {
          type: 'array',
          minItems: 1,
          maxItems: 8,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['pwm', 'pwmPeriodNs', 'tachGpio', 'maxRpm', 'pulsesPerRev', 'maxPowerW'],
            properties: {
              pwm: { type: 'string', minLength: 1 },
              pwmPeriodNs: posInt,
              tachGpio: gpioNum,
              tachIrq: { type: 'integer', minimum: 0, nullable: true },
              maxRpm: { type: 'number', minimum: 100, maximum: 30000 },
              pulsesPerRev: { type: 'integer', minimum: 1, maximum: 8 },
              maxPowerW: { type: 'number', minimum: 0 },
            },
          },
        },
      },
    },
    hashBoard: {
      type: 'object',
      additionalProperties: false,
      required: ['chipFamily', 'chains', 'chipsPerChain', 'coresPerChip', 'hashesPerCoreCycle', 'baud', 'freqMHz', 'voltage', 'regulator', 'sensors', 'eeprom', 'thermal'],
      properties: {
        chipFamily: { type: 'string', enum: ['bm1485', 'bm1489', 'bm1366'] },
        chains: { type: 'integer', minimum: 1, maximum: 16 },
        chipsPerChain: { type: 'integer', minimum: 1, maximum: 256 },
        coresPerChip: { type: 'integer', minimum: 1, maximum: 10000 },
        hashesPerCoreCycle: posNum,
        baud: { type: 'integer', minimum: 9600, maximum: 12000000 },
        freqMHz: {
          type: 'object',
          additionalProperties: false,
          required: ['stock', 'min', 'max'],
          properties: { stock: posNum, min: posNum, max: posNum },
        },
        voltage: {
          type: 'object',
          additionalProperties: false,
          required: ['stockV', 'minV', 'maxV', 'domains'],
          properties: { stockV: posNum, minV: posNum, maxV: posNum, domains: posInt },
        },
        regulator: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'bus', 'addresses', 'codeOffsetV', 'codeSlopeV', 'stockCode', 'heartbeatTimeoutMs', 'softwareVersion', 'efficiency'],
          properties: {
            kind: { type: 'string', enum: ['pic-old', 'pic-framed'] },
            bus: { type: 'integer', minimum: 0 },
            addresses: { type: 'array', items: addr7, minItems: 1 },
            codeOffsetV: posNum,
            codeSlopeV: { type: 'number' },
            stockCode: { type: 'integer', minimum: 0, maximum: 254 },
            heartbeatTimeoutMs: posInt,
            softwareVersion: { type: 'integer', minimum: 0, maximum: 255 },
            efficiency: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          },
        },
        sensors: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'access', 'chipAddresses', 'i2cAddress'],
            properties: {
              kind: { type: 'string', const: 'tmp451' },
              access: { type: 'string', enum: ['chip-iic', 'bus'] },
              chipAddresses: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, minItems: 1 },
              i2cAddress: addr7,
            },
          },
        },
        eeprom: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['kind', 'bus', 'addresses'],
          properties: {
            kind: { type: 'string', const: 'at24c02' },
            bus: { type: 'integer', minimum: 0 },
            addresses: { type: 'array', items: addr7, minItems: 1 },
          },
        },
        thermal: {
          type: 'object',
          additionalProperties: false,
          required: ['targetC', 'hotC', 'dangerousC'],
          properties: {
            targetC: { type: 'number', minimum: 0, maximum: 150 },
            hotC: { type: 'number', minimum: 0, maximum: 150 },
            dangerousC: { type: 'number', minimum: 0, maximum: 150 },
          },
        },
      },
    },
    psu: {
      type: 'object',
      additionalProperties: false,
      required: ['efficiency', 'telemetry'],
      properties: {
        efficiency: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        telemetry: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['kind', 'bus', 'address', 'stock'],
          properties: {
            kind: { type: 'string', const: 'pmbus' },
            bus: { type: 'integer', minimum: 0 },
            address: addr7,
            stock: { type: 'boolean' },
          },
        },
      },
    },
    sim: {
      type: 'object',
      additionalProperties: false,
      required: [
        'controllerW', 'leakageFraction', 'leakageDoublingC', 'referenceDieC', 'dieRiseCPerW', 'airflowGradientC',
        'boardHeatCapacityJPerK', 'naturalConductanceWPerK', 'designBoardRiseC', 'designFanDuty', 'fanTimeConstantMs',
        'stableHeadroom', 'stableSpread', 'weakChipsPerChain', 'weakHeadroom', 'voltageExponent', 'tempDerate',
        'hangMargin', 'baseHwErrorProbability',
      ],
      properties: {
        controllerW: { type: 'number', minimum: 0 },
        leakageFraction: { type: 'number', minimum: 0, maximum: 0.9 },
        leakageDoublingC: posNum,
        referenceDieC: { type: 'number' },
        dieRiseCPerW: { type: 'number', minimum: 0 },
        airflowGradientC: { type: 'number', minimum: 0 },
        boardHeatCapacityJPerK: posNum,
        naturalConductanceWPerK: posNum,
        designBoardRiseC: posNum,
        designFanDuty: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        fanTimeConstantMs: posNum,
        stableHeadroom: { type: 'number', minimum: -0.5, maximum: 2 },
        stableSpread: { type: 'number', minimum: 0, maximum: 0.5 },
        weakChipsPerChain: { type: 'integer', minimum: 0 },
        weakHeadroom: { type: 'array', items: { type: 'number', minimum: -0.5, maximum: 2 }, minItems: 2, maxItems: 2 },
        voltageExponent: { type: 'number', minimum: 0, maximum: 10 },
        tempDerate: { type: 'number', minimum: 0, maximum: 0.05 },
        hangMargin: posNum,
        baseHwErrorProbability: fraction,
      },
    },
  },
} as const;
