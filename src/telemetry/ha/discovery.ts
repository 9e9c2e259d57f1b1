/**
 * Home Assistant MQTT discovery: per-entity `homeassistant/<platform>/<device_id>/<object_id>/config`.
 * `object_id` is deprecated since HA 2025.10 in favour of `default_entity_id` (`<domain>.<object_id>`);
 * both are sent so older and newer HA name the entities the same (docs/mqtt.md).
 */
import type { DaemonStatus } from '../../core/minerApi';
import type { Topics } from '../mqtt/topics';

export interface DiscoveryInput { deviceId: string; name: string; t: Topics; status: DaemonStatus; prefix?: string }

interface Sensor { id: string; name: string; key: string; unit?: string; device_class?: string; state_class?: string; icon?: string }

const SENSORS: Sensor[] = [
  { id: 'hashrate', name: 'Hashrate (chips)', key: 'hashrate_ghs', unit: 'GH/s', state_class: 'measurement', icon: 'mdi:speedometer' },
  { id: 'pool_hashrate', name: 'Hashrate (pool accepted)', key: 'pool_hashrate_ghs', unit: 'GH/s', state_class: 'measurement', icon: 'mdi:speedometer' },
  { id: 'power', name: 'Power', key: 'power_w', unit: 'W', device_class: 'power', state_class: 'measurement' },
  // The persisted kWh counter: with device_class energy + total_increasing HA offers it on the Energy dashboard.
  { id: 'energy', name: 'Energy', key: 'energy_kwh', unit: 'kWh', device_class: 'energy', state_class: 'total_increasing' },
  { id: 'efficiency', name: 'Efficiency', key: 'efficiency_j_per_gh', unit: 'J/GH', state_class: 'measurement' },
  { id: 'chip_temp', name: 'Chip temperature', key: 'chip_temp_c', unit: '°C', device_class: 'temperature', state_class: 'measurement' },
  { id: 'board_temp', name: 'Board temperature', key: 'board_temp_c', unit: '°C', device_class: 'temperature', state_class: 'measurement' },
  { id: 'pool_state', name: 'Pool state', key: 'pool_state', icon: 'mdi:pool' },
  { id: 'state', name: 'State', key: 'state', icon: 'mdi:pickaxe' },
];

/** HA entity ids are `<domain>.<slug>` with the slug in [a-z0-9_] (a device id may carry '-'). */
export function defaultEntityId(platform: string, objectId: string): string {
  return `${platform}.${objectId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

export function discoveryMessages(i: DiscoveryInput): { topic: string; payload: string }[] {
  const p = i.prefix ?? 'homeassistant';
  const device = {
    identifiers: [i.deviceId], name: i.name, manufacturer: 'kabosu',
    model: i.status.hashboards.model ?? 'unknown', sw_version: i.status.version,
  };
  const common = (platform: string, id: string): Record<string, unknown> => ({
    unique_id: `${i.deviceId}_${id}`, object_id: `${i.deviceId}_${id}`, default_entity_id: defaultEntityId(platform, `${i.deviceId}_${id}`), device,
    origin: { name: 'kabosu', sw: i.status.version },
    availability_topic: i.t.status, payload_available: 'online', payload_not_available: 'offline',
  });
  const out: { topic: string; payload: string }[] = [];
  const add = (platform: string, id: string, body: Record<string, unknown>): void => {
    out.push({ topic: `${p}/${platform}/${i.deviceId}/${id}/config`, payload: JSON.stringify({ ...common(platform, id), ...body }) });
  };
  for (const s of SENSORS) {
    add('sensor', s.id, {
      name: s.name, state_topic: i.t.telemetry, value_template: `{{ value_json.${s.key} }}`,
      ...(s.unit ? { unit_of_measurement: s.unit } : {}), ...(s.device_class ? { device_class: s.device_class } : {}),
      ...(s.state_class ? { state_class: s.state_class } : {}), ...(s.icon ? { icon: s.icon } : {}),
    });
  }
  const econ = i.status.economics;
  if (econ) {
    // Money sensors: HA's monetary device class takes the ISO currency as the unit.
    for (const [id, name, key] of [['margin', 'Margin per day', 'margin_per_day'], ['revenue', 'Revenue per day', 'revenue_per_day'], ['cost', 'Electricity cost per day', 'cost_per_day']] as const) {
      add('sensor', id, { name, state_topic: i.t.telemetry, value_template: `{{ value_json.${key} }}`, unit_of_measurement: econ.currency, device_class: 'monetary', icon: 'mdi:cash' });
    }
    add('sensor', 'break_even_price', { name: 'Break-even electricity price', state_topic: i.t.telemetry, value_template: '{{ value_json.break_even_price_per_kwh }}', unit_of_measurement: `${econ.currency}/kWh`, icon: 'mdi:cash-check' });
    add('sensor', 'electricity_price', { name: 'Electricity price', state_topic: i.t.telemetry, value_template: '{{ value_json.electricity_price_per_kwh }}', unit_of_measurement: `${econ.currency}/kWh`, icon: 'mdi:transmission-tower' });
    add('binary_sensor', 'curtailed', { name: 'Curtailed (energy price)', state_topic: i.t.telemetry, value_template: "{{ 'ON' if value_json.curtailed else 'OFF' }}", payload_on: 'ON', payload_off: 'OFF', icon: 'mdi:power-plug-off' });
  }
  const fans = i.status.thermal?.fans ?? [];
  for (const f of fans) {
    add('sensor', `fan${f.index}_rpm`, { name: `Fan ${f.index} speed`, state_topic: i.t.telemetry, value_template: `{{ value_json.fan_rpm[${f.index}] }}`, unit_of_measurement: 'RPM', state_class: 'measurement', icon: 'mdi:fan' });
  }
  add('switch', 'mining', {
    name: 'Mining', state_topic: i.t.telemetry, value_template: "{{ 'ON' if value_json.state in ['mining','waiting-for-work','starting'] else 'OFF' }}",
    command_topic: `${i.t.cmdPrefix}mining`, payload_on: '{"on":true}', payload_off: '{"on":false}', state_on: 'ON', state_off: 'OFF',
  });
  add('number', 'power_target', {
    name: 'Power target', command_topic: `${i.t.cmdPrefix}power_target`, command_template: '{"watts": {{ value }} }',
    min: 100, max: 5000, step: 10, unit_of_measurement: 'W', device_class: 'power', mode: 'box',
  });
  add('button', 'identify', { name: 'Identify', command_topic: `${i.t.cmdPrefix}identify`, payload_press: '{"seconds":30}', device_class: 'identify' });
  return out;
}
