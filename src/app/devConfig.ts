/**
 * The embedded defaults `npm start` (`kabosu run --dev`) writes to ./.kabosu/config.json on first
 * run: a simulated L3+-like miner in scrypt-sim mode, the built-in Stratum test pool on
 * loopback, and the firmware mining on it. Every value not given here comes from the schema's
 * defaults. The pool password is a placeholder the test pool ignores, stored encrypted like
 * any secret.
 */
export const DEV_TEST_POOL_PORT = 3334;
/** The same test pool speaking Stratum V2 (docs/stratum.md: switch with the one pools[0].url line). */
export const DEV_TEST_POOL_V2_PORT = 3335;
export const DEV_HTTP_PORT = 8080;
export const DEV_CGMINER_PORT = 4028;
/** npm start's embedded MQTT broker (loopback). */
export const DEV_MQTT_PORT = 1884;

export function devConfig(): Record<string, unknown> {
  return {
    version: 1,
    device: { id: 'kabosu-dev', name: 'kabosu development miner (simulated)' },
    mining: { enabled: true },
    pools: [
      {
        name: 'local-test-pool',
        url: `stratum+tcp://127.0.0.1:${DEV_TEST_POOL_PORT}`,
        user: 'kabosu-dev.worker1',
        password: 'x',
      },
    ],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 1, pow: 'scrypt-sim', transport: 'stream' } },
    // Share difficulty 4096 at ~504 MH/s: about 2 shares per second (vardiff adjusts from there).
    telemetry: { mqtt: { enabled: true, url: `mqtt://127.0.0.1:${DEV_MQTT_PORT}`, broker: { enabled: true, host: '127.0.0.1', port: DEV_MQTT_PORT } } },
    testPool: { enabled: true, host: '127.0.0.1', port: DEV_TEST_POOL_PORT, v2Port: DEV_TEST_POOL_V2_PORT, pow: 'scrypt-sim', difficulty: 4096 },
    // The HTTP API on loopback only for a development machine (a miner's default is 0.0.0.0).
    api: { http: { enabled: true, host: '127.0.0.1', port: DEV_HTTP_PORT }, cgminer: { enabled: true, host: '127.0.0.1', port: DEV_CGMINER_PORT } },
  };
}
