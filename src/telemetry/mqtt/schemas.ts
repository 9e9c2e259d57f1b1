/** JSON Schemas (draft-07) of every MQTT payload, API version 1. docs/mqtt.md describes them; tests validate publishes against them. */
const num = { type: ['number', 'null'] };
const head = { v: { const: 1 }, ts: { type: 'integer', minimum: 0 } };

export const telemetrySchema = {
  $id: 'kabosu/mqtt/telemetry/v1', type: 'object', additionalProperties: false,
  required: ['v', 'ts', 'state', 'uptime_s', 'hashrate_ghs', 'hashrate_1m_ghs', 'pool_hashrate_ghs', 'power_w', 'energy_kwh', 'efficiency_j_per_gh', 'chip_temp_c', 'board_temp_c', 'fan_rpm', 'pool', 'pool_state', 'accepted', 'rejected', 'pool_difficulty', 'difficulty_accepted', 'work_utility'],
  properties: {
    ...head,
    state: { enum: ['starting', 'mining', 'waiting-for-work', 'paused', 'no-hashboards', 'stopped'] },
    uptime_s: { type: 'integer', minimum: 0 },
    hashrate_ghs: num, hashrate_1m_ghs: num, pool_hashrate_ghs: num, power_w: num, energy_kwh: { type: ['number', 'null'], minimum: 0 }, efficiency_j_per_gh: num,
    chip_temp_c: num, board_temp_c: num,
    fan_rpm: { type: 'array', items: num },
    pool: { type: ['string', 'null'] }, pool_state: { type: ['string', 'null'] },
    accepted: { type: 'integer', minimum: 0 }, rejected: { type: 'integer', minimum: 0 },
    pool_difficulty: num, difficulty_accepted: { type: 'number', minimum: 0 }, work_utility: { type: 'number', minimum: 0 },
    // economics (optional: only when economics.enabled)
    margin_per_day: num, revenue_per_day: num, cost_per_day: num, break_even_price_per_kwh: num, electricity_price_per_kwh: num,
    power_source: { enum: ['wall-meter', 'pmbus', 'model', 'none'] }, curtailed: { type: 'boolean' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;

export const chainSchema = {
  $id: 'kabosu/mqtt/chain/v1', type: 'object', additionalProperties: false,
  required: ['v', 'ts', 'index', 'chips_found', 'chips_expected', 'hashrate_ghs', 'nonces', 'hw_errors', 'freq_mhz', 'silent_chips'],
  properties: {
    ...head, index: { type: 'integer', minimum: 0 }, chips_found: { type: 'integer', minimum: 0 }, chips_expected: { type: 'integer', minimum: 0 },
    hashrate_ghs: num, nonces: { type: 'integer', minimum: 0 }, hw_errors: { type: 'integer', minimum: 0 }, freq_mhz: num,
    silent_chips: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export const poolsSchema = {
  $id: 'kabosu/mqtt/pools/v1', type: 'object', additionalProperties: false, required: ['v', 'ts', 'pools'],
  properties: {
    ...head,
    pools: {
      type: 'array', items: {
        type: 'object', additionalProperties: false, required: ['name', 'url', 'state', 'active', 'difficulty', 'latency_ms', 'accepted', 'rejected'],
        properties: {
          name: { type: 'string' }, url: { type: 'string', not: { pattern: '//[^/@]*@' } }, state: { type: 'string' }, active: { type: 'boolean' }, difficulty: num, latency_ms: num, accepted: { type: 'integer' }, rejected: { type: 'integer' },
          stale: { type: 'integer', minimum: 0 }, difficulty_accepted: { type: 'number', minimum: 0 }, difficulty_rejected: { type: 'number', minimum: 0 },
          difficulty_stale: { type: 'number', minimum: 0 }, last_share_difficulty: num, work_utility: { type: 'number', minimum: 0 },
          rejected_reasons: { type: 'object', additionalProperties: false, patternProperties: { '^(stale|duplicate|low_difficulty|job_not_found|unauthorized|other)$': { type: 'integer', minimum: 0 } } },
          last_reject: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, required: ['code', 'text', 'at_ms'], properties: { code: num, text: { type: 'string', maxLength: 160 }, at_ms: { type: 'number' } } }] },
        },
      },
    },
  },
} as const;

export const eventSchema = {
  $id: 'kabosu/mqtt/event/v1', type: 'object', additionalProperties: false, required: ['v', 'ts', 'severity', 'source', 'kind', 'message'],
  properties: { ...head, severity: { enum: ['info', 'warning', 'critical'] }, source: { type: 'string' }, kind: { type: 'string' }, message: { type: 'string' }, data: { type: 'object' } },
} as const;

export const replySchema = {
  $id: 'kabosu/mqtt/reply/v1', type: 'object', additionalProperties: false, required: ['status'],
  properties: { status: { enum: ['ok', 'error'] }, data: {}, code: { type: 'string', pattern: '^KBS_E_' }, error: { type: 'string' }, hint: { type: 'string' }, transaction: { type: ['string', 'number'] } },
  if: { properties: { status: { const: 'error' } } }, then: { required: ['code', 'error'] },
} as const;

export const haConfigSchema = {
  $id: 'kabosu/mqtt/ha-config/v1', type: 'object', required: ['unique_id', 'default_entity_id', 'name', 'device', 'availability_topic', 'payload_available', 'payload_not_available', 'origin'],
  properties: {
    unique_id: { type: 'string', pattern: '^[a-z0-9_-]+$' },
    default_entity_id: { type: 'string', pattern: '^(sensor|binary_sensor|switch|number|button)\\.[a-z0-9_]+$' },
    device: { type: 'object', required: ['identifiers', 'name', 'manufacturer', 'model'], properties: { identifiers: { type: 'array', minItems: 1 } } },
    availability_topic: { type: 'string' }, state_topic: { type: 'string' }, command_topic: { type: 'string' },
    state_class: { enum: ['measurement', 'total', 'total_increasing'] },
    device_class: { type: 'string' }, unit_of_measurement: { type: 'string' },
  },
} as const;

/** topic suffix pattern -> schema, for validating everything a publisher sends. */
export const SCHEMA_BY_TOPIC: [RegExp, object][] = [
  [/\/telemetry$/, telemetrySchema], [/\/chains\/\d+$/, chainSchema], [/\/pools$/, poolsSchema], [/\/events$/, eventSchema],
  [/\/reply\/[^/]+$/, replySchema], [/^homeassistant\/.*\/config$/, haConfigSchema],
];
