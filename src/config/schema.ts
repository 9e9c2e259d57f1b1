import type { FromSchema } from './schemaTypes';

/**
 * The one config schema (conventions 2.5): types (FromSchema below), defaults (ajv useDefaults),
 * docs (docs/configuration.md is generated from it), `x-reloadable` per top-level section (hot
 * reload applies it without a restart) and `x-secret` per field (encrypted at rest, redacted in
 * logs and replies). Every object has `additionalProperties: false`.
 */
const LEVEL = { type: 'string', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] } as const;
const PORT = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const HOST = { type: 'string', minLength: 1, maxLength: 253 } as const;
const PATH = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const SECRET = { type: 'string', minLength: 1, maxLength: 4096, 'x-secret': true } as const;
const DUTY = { type: 'integer', minimum: 0, maximum: 100 } as const;

export const CONFIG_SCHEMA = {
  $id: 'https://kabosu.dev/schema/config-v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    $schema: { type: 'string', description: 'Editor hint; ignored.' },
    version: { const: 1, description: 'Config format version.' },
    device: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': false,
      properties: {
        id: { type: 'string', pattern: '^[a-z0-9_-]{1,64}$', default: 'kabosu', description: 'Identifier used in MQTT topics and HA unique ids; a-z 0-9 _ -.' },
        name: { type: 'string', minLength: 1, maxLength: 128, default: 'kabosu miner', description: 'Human-readable name.' },
      },
    },
    mining: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Hash when true; needs at least one pool.' },
        // -- pool selection (docs/stratum.md "Pool manager")
        poolStrategy: { type: 'string', enum: ['failover', 'score'], default: 'failover', description: 'failover: priority order with failback; score: best expected accepted work (latency, stale and reject rates) with hysteresis.' },
      },
    },
    pools: {
      type: 'array', default: [], maxItems: 16, 'x-reloadable': true, description: 'Stratum pools, tried by priority.',
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'url', 'user'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$', description: 'Unique pool name.' },
          url: { type: 'string', pattern: '^(stratum\\+(tcp|ssl)://[^\\s/:]+(:[0-9]{1,5})?/?|stratum2\\+tcp://[^\\s/:]+:[0-9]{1,5}/[1-9A-HJ-NP-Za-km-z]{40,60})$', description: 'stratum+tcp://host:port or stratum+ssl://host:port; Stratum V2: stratum2+tcp://host:port/AUTHORITY_KEY (docs/stratum.md).' },
          user: { type: 'string', minLength: 1, maxLength: 256, description: 'Worker name.' },
          password: { ...SECRET, default: 'x', description: 'Worker password.' },
          priority: { type: 'integer', minimum: 0, maximum: 99, default: 0, description: 'Lower is tried first.' },
          allowRedirect: { type: 'boolean', default: false, description: 'Follow client.reconnect to another host (off: a pool can only move us to another port on the same host).' },
          // -- stratum session options (docs/stratum.md "Per-pool options")
          suggestDifficulty: { type: 'number', exclusiveMinimum: 0, maximum: 1e15, description: 'Sent as mining.suggest_difficulty after authorize; pools may ignore it.' },
          minimumDifficulty: { type: 'number', exclusiveMinimum: 0, maximum: 1e15, description: 'Asked with mining.configure minimum-difficulty (BIP310) before subscribe; a pool that does not know it is fine.' },
          tls: {
            type: 'object', additionalProperties: false, description: 'Certificate trust for stratum+ssl:// (default: public CAs only).',
            properties: {
              caFile: { type: 'string', pattern: '^/', maxLength: 4096, description: 'Absolute path of a PEM CA (or self-signed) certificate to trust for this pool.' },
              fingerprint256: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$', description: 'Pinned SHA-256 fingerprint of the pool certificate (64 hex digits, colons allowed); replaces CA validation unless caFile is set too.' },
              insecure: { type: 'boolean', default: false, description: 'Accept any certificate (no verification; a warning is logged on every connect).' },
            },
          },
        },
      },
    },
    hashboards: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': false,
      properties: {
        backend: { type: 'string', enum: ['sim', 'linux', 'sim-remote'], default: 'sim', description: 'Simulated boards, real hardware, or a `kabosu sim run --pty --hal` process.' },
        model: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$', default: 'l3plus', description: 'Board model id naming board/<id>.json (l3plus, l7).' },
        sim: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 1, description: 'Simulator seed.' },
            pow: { type: 'string', enum: ['scrypt-sim', 'scrypt'], default: 'scrypt-sim', description: 'Simulated chips hash with the fast stand-in or real scrypt.' },
            transport: { type: 'string', enum: ['stream', 'pty'], default: 'stream', description: 'In-process streams or pseudo-terminals.' },
            ambientC: { type: 'number', minimum: -40, maximum: 60, default: 25, description: 'Simulated ambient temperature.' },
            timeScale: { type: 'number', exclusiveMinimum: 0, maximum: 1000, default: 1, description: 'Simulated time speed-up.' },
          },
        },
        simRemote: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            hal: { ...PATH, default: 'unix:/run/kabosu-sim/hal.sock', description: 'Remote-hal address the simulator serves (--hal): unix:/path or HOST:PORT.' },
            ptys: { type: 'array', items: PATH, maxItems: 8, default: [], description: 'Chain PTY paths the simulator printed (kabosu sim run --pty --json).' },
            pow: { type: 'string', enum: ['scrypt-sim', 'scrypt'], default: 'scrypt-sim', description: 'The proof of work the simulator runs (its --pow).' },
            timeoutMs: { type: 'integer', minimum: 50, maximum: 60000, default: 2000, description: 'Per-call timeout of the remote hal.' },
            interlockWorker: { type: 'boolean', default: false, description: 'Run the second thermal interlock in a worker thread with its own hal link: a blocked event loop still powers a hot board off within ~100 ms. Costs ~13.5 MB of RSS (the 80 MB budget of issue #5 is measured without it); off, the PIC heartbeat (30 s) and the systemd watchdog (30 s) cover a blocked loop.' },
          },
        },
        linux: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            uarts: { type: 'array', items: PATH, maxItems: 8, default: [], description: 'UART device per chain; empty: the board definition\'s (board/<model>.json controller.uarts).' },
            i2cBus: { type: 'integer', minimum: 0, maximum: 255, default: 0, description: 'Not used yet (the board definition names the I2C buses).' },
            gpioChip: { ...PATH, default: '/dev/gpiochip0', description: 'GPIO character device (not used yet: GPIO goes through sysfs).' },
            // issue 17: roots of the kernel interfaces (a test or a guest points them at a tree it drives).
            sysfsRoot: { ...PATH, default: '/sys', description: 'Where sysfs is mounted: GPIO (class/gpio) and PWM (class/pwm) paths of the board definition are read under it.' },
            procRoot: { ...PATH, default: '/proc', description: 'Where procfs is mounted: fan tach interrupt counters (interrupts).' },
            i2cTimeoutMs: { type: 'integer', minimum: 10, maximum: 10000, default: 500, description: 'Per-call I2C timeout.' },
            i2cRetries: { type: 'integer', minimum: 0, maximum: 5, default: 2, description: 'Retries of a failed I2C call (the first error is kept).' },
            tachWindowMs: { type: 'integer', minimum: 250, maximum: 10000, default: 1000, description: 'Fan tach counting window (RPM = pulses / pulses per rev over the window).' },
            i2cBridge: { type: 'string', maxLength: 4096, default: '', description: 'Development only: reach the I2C buses and chip-behind sensors of a `kabosu sim run --hal ADDR` process instead of /dev/i2c-N (empty: the kernel\'s).' },
            pow: { type: 'string', enum: ['scrypt', 'scrypt-sim'], default: 'scrypt', description: 'Proof of work of the chips behind the UARTs: scrypt-sim only when they lead to a `kabosu sim` (host proof, guest test); the boards are then reported as simulated.' },
          },
        },
      },
    },
    thermal: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        mode: { type: 'string', enum: ['auto', 'manual', 'immersion'], default: 'auto', description: 'Fan control mode.' },
        targetC: { type: 'number', minimum: 30, maximum: 95, default: 75, description: 'Chip temperature the fan loop holds.' },
        hotC: { type: 'number', minimum: 35, maximum: 105, default: 85, description: 'Above this, tuning throttles.' },
        dangerousC: { type: 'number', minimum: 40, maximum: 115, default: 95, description: 'Above this, boards power off.' },
        manualDuty: { ...DUTY, default: 100, description: 'Fan duty % in manual mode.' },
        fan: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            minDuty: { ...DUTY, default: 10, description: 'Lowest fan duty %.' },
            maxDuty: { ...DUTY, default: 100, description: 'Highest fan duty %.' },
          },
        },
      },
    },
    tuning: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        target: { type: 'string', enum: ['stock', 'efficiency', 'power', 'hashrate'], default: 'stock', description: 'What the tuner optimises.' },
        preset: { type: 'string', enum: ['eco', 'stock', 'max'], default: 'stock', description: 'Starting profile.' },
        powerW: { type: 'number', minimum: 100, maximum: 10000, description: 'Power to hold when target is power.' },
        hashrateFloor: { type: 'number', minimum: 0, description: 'Lowest acceptable hashrate (MH/s).' },
      },
    },
    health: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      description: 'Health monitor thresholds and actions (docs/health.md). Defaults are the tested ones; change them knowingly.',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Judge chips, chains and hardware and raise health events; false: only power accounting, diag and identify run.' },
        actions: { type: 'string', enum: ['auto', 'report'], default: 'auto', description: 'auto: act within the bounds below; report: diagnose and raise events but never lower a frequency, disable a chip or re-init a chain; a board is still powered off for a regulator fault or a failed chain (safety), and the thermal interlock still acts.' },
        intervalMs: { type: 'integer', minimum: 1000, maximum: 60000, default: 5000, description: 'How often chips and chains are judged.' },
        maxReinitsPerHour: { type: 'integer', minimum: 0, maximum: 60, default: 2, description: 'Chain re-inits health may do per chain per hour; a failed chain with none left is powered off.' },
        deadChipsForReinit: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'This many dead chips on one chain at once re-init the chain instead of disabling them.' },
        deadGraceMs: { type: 'integer', minimum: 0, maximum: 3600000, default: 15000, description: 'A lone dead chip is disabled after this long dead.' },
        freqStepMHz: { type: 'integer', minimum: 1, maximum: 200, default: 25, description: 'Frequency step down for a chip degraded by HW errors.' },
        minFreqMHz: { type: 'integer', minimum: 50, maximum: 2000, default: 100, description: 'Floor for lowering a chip degraded by HW errors; a chip that would go below it is disabled instead.' },
        capRecoveryS: { type: 'integer', minimum: 0, maximum: 604800, default: 3600, description: 'A chip lowered for HW errors gets one step back after this long ok (the last step lifts the cap); 0: never.' },
        capRecoveryMaxFailures: { type: 'integer', minimum: 0, maximum: 20, default: 3, description: 'Each time a chip degrades again within capRecoveryS of a step up, the next wait doubles; after this many it stays lowered.' },
        chip: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            deadProbability: { type: 'number', exclusiveMinimum: 0, maximum: 0.01, default: 0.000001, description: 'A chip is dead when a healthy chip would stay this silent with less than this probability.' },
            reviveResults: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'Results a dead chip must return to count as alive again.' },
            windowMs: { type: 'integer', minimum: 60000, maximum: 86400000, default: 600000, description: 'Sliding window for the HW-error and slow verdicts.' },
            degradedHwErrorRatio: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.02, description: 'Degraded when HW errors / results is significantly above this (lower confidence bound).' },
            recoveredHwErrorRatio: { type: 'number', minimum: 0, maximum: 0.5, default: 0.01, description: 'Back to ok when the lower confidence bound falls below this (below degradedHwErrorRatio).' },
            hwErrorMinResults: { type: 'integer', minimum: 1, maximum: 1000000, default: 50, description: 'Results in the window before an HW-error verdict may change.' },
            slowProbability: { type: 'number', exclusiveMinimum: 0, maximum: 0.01, default: 0.000001, description: 'Degraded (slow) when a healthy chip would return this few nonces with less than this probability.' },
            slowRecoveredProbability: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.01, description: 'A slow chip is ok again above this probability (above slowProbability).' },
            slowRatio: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'Slow also needs fewer nonces than this fraction of the expected count.' },
            confidenceSigma: { type: 'number', minimum: 1, maximum: 10, default: 3, description: 'Width (z) of the Wilson confidence bounds on the HW-error ratio.' },
          },
        },
        chain: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            crcErrorRatio: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.01, description: 'Degraded when reply-frame CRC/header errors are significantly above this ratio.' },
            crcRecoveredRatio: { type: 'number', minimum: 0, maximum: 0.5, default: 0.005, description: 'Clears when the upper confidence bound falls below this (below crcErrorRatio).' },
            windowMs: { type: 'integer', minimum: 10000, maximum: 86400000, default: 300000, description: 'Sliding window for the frame-error ratio.' },
            confidenceSigma: { type: 'number', minimum: 1, maximum: 10, default: 3, description: 'Width (z) of the Wilson bounds on the frame-error ratio.' },
          },
        },
        flatline: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Compare the chips\' nonces with credited shares (flatline / divergence).' },
            intervalMs: { type: 'integer', minimum: 1000, maximum: 600000, default: 10000, description: 'How often the watchdog judges.' },
            windowMs: { type: 'integer', minimum: 60000, maximum: 86400000, default: 600000, description: 'Sliding window of the comparison.' },
            probability: { type: 'number', exclusiveMinimum: 0, maximum: 0.01, default: 0.000001, description: 'A verdict needs the observation to be less likely than this for a healthy miner.' },
            maxRestartsPerHour: { type: 'integer', minimum: 0, maximum: 60, default: 3, description: 'Re-inits of every chain the watchdog may do per hour; then it only reports.' },
          },
        },
        hardware: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            intervalMs: { type: 'integer', minimum: 1000, maximum: 3600000, default: 30000, description: 'How often sensors, fans, PSU and regulators are read (also power accounting).' },
            sensorStuckMs: { type: 'integer', minimum: 10000, maximum: 86400000, default: 300000, description: 'A powered sensor reading exactly the same for this long is stuck.' },
            psuSagRatio: { type: 'number', minimum: 0.5, maximum: 1, default: 0.95, description: 'PSU output below this fraction of 12 V is a sag.' },
            regulatorToleranceV: { type: 'number', minimum: 0.005, maximum: 1, default: 0.05, description: 'Regulator readback further than this from the set voltage is a mismatch.' },
          },
        },
      },
    },
    power: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: { limitW: { type: 'number', minimum: 100, maximum: 10000, description: 'Hard wall-power limit.' } },
    },
    // economics (issue #22): profitability, market inputs, tariff, curtailment. One block; docs/economics.md.
    economics: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Profitability report and energy-price policy.' },
        currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'USD', description: 'Currency of coin prices and the tariff.' },
        intervalS: { type: 'integer', minimum: 1, maximum: 600, default: 10, description: 'Evaluation period.' },
        mqttUrl: { type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://', description: 'Broker for the economics topics (default: telemetry.mqtt.url).' },
        idleW: { type: 'number', minimum: 0, maximum: 1000, default: 10, description: 'Wall power while paused (controller, fans).' },
        wallMeter: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            topic: { type: 'string', pattern: '^[^#+\\s]{1,256}$', description: 'MQTT topic of a wall meter (W).' },
            maxAgeS: { type: 'integer', minimum: 5, maximum: 3600, default: 60, description: 'A reading older than this is ignored.' },
            uncertaintyPct: { type: 'number', minimum: 0, maximum: 50, default: 1, description: "The meter's accuracy." },
          },
        },
        market: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            maxAgeS: { type: 'integer', minimum: 60, maximum: 604800, default: 3600, description: 'A live market value older than this is stale.' },
            fixed: {
              type: 'object', additionalProperties: false, default: {}, description: 'Fixed values (fill what no source gives).',
              properties: {
                ltcDifficulty: { type: 'number', exclusiveMinimum: 0, description: 'LTC network difficulty.' },
                ltcReward: { type: 'number', minimum: 0, description: 'LTC block reward (coins).' },
                ltcPrice: { type: 'number', minimum: 0, description: 'LTC price.' },
                dogeDifficulty: { type: 'number', exclusiveMinimum: 0, description: 'DOGE network difficulty.' },
                dogeReward: { type: 'number', minimum: 0, description: 'DOGE block reward (coins).' },
                dogePrice: { type: 'number', minimum: 0, description: 'DOGE price.' },
                poolFeePct: { type: 'number', minimum: 0, maximum: 100, default: 0, description: 'Pool fee, % (0 unless set).' },
              },
            },
            sources: {
              type: 'array', maxItems: 8, default: [], description: 'Live sources, first fresh value wins.',
              items: {
                type: 'object', additionalProperties: false, required: ['name', 'kind', 'fields'],
                properties: {
                  name: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$', description: 'Source name.' },
                  kind: { type: 'string', enum: ['http', 'mqtt'], description: 'HTTP JSON endpoint or MQTT topic.' },
                  url: { type: 'string', pattern: '^https?://', maxLength: 2048, description: 'HTTP source URL.' },
                  topic: { type: 'string', pattern: '^[^#+\\s]{1,256}$', description: 'MQTT source topic.' },
                  refreshS: { type: 'integer', minimum: 10, maximum: 86400, default: 600, description: 'HTTP poll period.' },
                  timeoutS: { type: 'integer', minimum: 1, maximum: 60, default: 10, description: 'HTTP timeout.' },
                  fields: {
                    type: 'object', additionalProperties: false, minProperties: 1, description: 'JSON pointer per field.',
                    properties: Object.fromEntries(['ltcDifficulty', 'ltcReward', 'ltcPrice', 'dogeDifficulty', 'dogeReward', 'dogePrice', 'poolFeePct'].map((k) => [k, { type: 'string', maxLength: 256, pattern: '^(/.*)?$' }])) as Record<'ltcDifficulty' | 'ltcReward' | 'ltcPrice' | 'dogeDifficulty' | 'dogeReward' | 'dogePrice' | 'poolFeePct', { type: 'string'; maxLength: 256; pattern: string }>,
                  },
                },
              },
            },
          },
        },
        tariff: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            kind: { type: 'string', enum: ['flat', 'schedule', 'live'], default: 'flat', description: 'Flat, time-of-use or live price.' },
            pricePerKwh: { type: 'number', minimum: -10, maximum: 100, default: 0.1, description: 'Flat price; outside schedule windows; live fallback.' },
            schedule: {
              type: 'array', maxItems: 48, default: [], description: 'Time-of-use windows (first match wins).',
              items: {
                type: 'object', additionalProperties: false, required: ['from', 'to', 'pricePerKwh'],
                properties: { days: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 6 }, maxItems: 7 }, from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }, to: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }, pricePerKwh: { type: 'number', minimum: -10, maximum: 100 } },
              },
            },
            utcOffsetMin: { type: 'integer', minimum: -840, maximum: 840, default: 0, description: 'Local time offset for the windows.' },
            topic: { type: 'string', pattern: '^[^#+\\s]{1,256}$', description: 'MQTT topic of a live price.' },
            maxAgeS: { type: 'integer', minimum: 10, maximum: 86400, default: 900, description: 'A live price older than this falls back.' },
          },
        },
        curtail: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Curtail on low margin or in windows.' },
            action: { type: 'string', enum: ['pause', 'power'], default: 'pause', description: 'Pause mining, or drop to curtail.powerW.' },
            powerW: { type: 'number', minimum: 50, maximum: 20000, description: 'Power target while curtailed (action power).' },
            marginBelowPerDay: { type: 'number', minimum: -1e6, maximum: 1e6, default: 0, description: 'Curtail when the margin now is below this.' },
            resumeAbovePerDay: { type: 'number', minimum: -1e6, maximum: 1e6, default: 0.1, description: 'Resume when the expected margin reaches this.' },
            windows: {
              type: 'array', maxItems: 48, default: [], description: 'Always curtail in these windows.',
              items: {
                type: 'object', additionalProperties: false, required: ['from', 'to'],
                properties: { days: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 6 }, maxItems: 7 }, from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }, to: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } },
              },
            },
            minHoldS: { type: 'integer', minimum: 0, maximum: 86400, default: 300, description: 'Least time between two changes.' },
          },
        },
        powerTarget: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            topic: { type: 'string', pattern: '^[^#+\\s]{1,256}$', description: 'MQTT topic of a power setpoint (W).' },
            maxAgeS: { type: 'integer', minimum: 10, maximum: 86400, default: 900, description: 'A setpoint older than this is released.' },
          },
        },
        autoOptimize: { type: 'boolean', default: false, description: 'Apply the margin-maximising point automatically.' },
      },
    },
    telemetry: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        mqtt: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Publish telemetry over MQTT.' },
            url: { type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://', default: 'mqtt://127.0.0.1:1883', description: 'Broker URL.' },
            username: { type: 'string', maxLength: 256, description: 'Broker user.' },
            password: { ...SECRET, description: 'Broker password.' },
            tls: {
              type: 'object', additionalProperties: false, default: {},
              properties: { ca: { ...PATH, description: 'CA file.' }, cert: { ...PATH, description: 'Client certificate file.' }, key: { ...PATH, description: 'Client key file.' } },
            },
            baseTopic: { type: 'string', pattern: '^[^#+\\s]{1,64}$', default: 'kabosu', description: 'Topic prefix (no wildcards).' },
            intervalS: { type: 'integer', minimum: 1, maximum: 3600, default: 10, description: 'Telemetry period.' },
            qos: { type: 'integer', enum: [0, 1, 2], default: 0, description: 'Telemetry QoS.' },
            commands: { type: 'array', items: { type: 'string', pattern: '^[a-z_/]{1,64}$' }, default: ['mining', 'restart', 'identify'], description: 'Commands accepted on cmd/<name>.' },
            signedCommands: {
              type: 'object', additionalProperties: false, default: {},
              properties: {
                publicKeys: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' }, default: [], description: 'Base64 raw ed25519 public keys; when any is set every command must be signed.' },
                maxSkewS: { type: 'integer', minimum: 5, maximum: 3600, default: 60, description: 'Accepted clock difference of signed commands (also the replay window).' },
              },
            },
            offlineQueue: { type: 'integer', minimum: 0, maximum: 100000, default: 1000, description: 'Messages kept (oldest dropped) while the broker is away.' },
            haDiscovery: { type: 'boolean', default: true, description: 'Publish Home Assistant discovery under homeassistant/.' },
            broker: {
              type: 'object', additionalProperties: false, default: {},
              properties: {
                enabled: { type: 'boolean', default: false, description: 'Run an embedded broker.' },
                host: { ...HOST, default: '127.0.0.1', description: 'Listen address.' },
                port: { ...PORT, default: 1883, description: 'Listen port.' },
                username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'kabosu', description: 'Operator user: may publish commands (Home Assistant, mosquitto_pub, fleet tools).' },
                password: { ...SECRET, description: 'Operator password; unset: generated at first start into <dataDir>/mqtt-broker-password (mode 0600).' },
                anonymousRead: { type: 'boolean', default: true, description: 'Clients without credentials may subscribe (read telemetry); they can never publish.' },
              },
            },
          },
        },
      },
    },
    api: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        http: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Serve the HTTP API.' },
            host: { ...HOST, default: '0.0.0.0', description: 'Listen address.' },
            port: { ...PORT, default: 8080, description: 'Listen port.' },
            token: { ...SECRET, description: 'Bearer token required for changes.' },
            // web UI (docs/web-ui.md)
            ui: {
              type: 'object', additionalProperties: false, default: {},
              properties: {
                enabled: { type: 'boolean', default: true, description: 'Serve the web dashboard at / on this port.' },
                readWithoutLogin: { type: 'boolean', default: false, description: 'Let anyone on the network watch the dashboard (read-only) without the admin password.' },
                timeZone: { type: 'string', pattern: '^[A-Za-z0-9_+/-]{1,64}$', default: 'UTC', description: 'IANA time zone the dashboard shows times in (e.g. Europe/Berlin); the daemon logs UTC.' },
              },
            },
          },
        },
        cgminer: {
          type: 'object', additionalProperties: false, default: {},
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Serve the cgminer API.' },
            host: { ...HOST, default: '0.0.0.0', description: 'Listen address.' },
            port: { ...PORT, default: 4028, description: 'Listen port.' },
            personality: { type: 'string', enum: ['antminer-l3plus', 'kabosu'], default: 'antminer-l3plus', description: 'Reply dialect.' },
            allow: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, default: ['127.0.0.1'], description: 'Client addresses/CIDRs allowed.' },
            token: { ...SECRET, description: 'Token required for privileged commands.' },
          },
        },
        cgi: {
          type: 'object', additionalProperties: false, default: {},
          description: 'Stock-shaped Antminer web CGI (/cgi-bin/*.cgi) for fleet tools such as pyasic (docs/http-api.md#stock-antminer-cgi); served only with api.cgminer.personality antminer-l3plus.',
          properties: {
            enabled: { enum: ['auto', true, false], default: 'auto', description: 'auto: on with real hash boards (hashboards.backend linux), off otherwise.' },
            host: { ...HOST, default: '0.0.0.0', description: 'Listen address.' },
            port: { ...PORT, default: 80, description: 'Listen port (80 as the stock firmware; a port above 1023, e.g. 8081, to try it unprivileged with npm start).' },
            password: { ...SECRET, description: 'HTTP digest password of user root (realm antMiner) for the write CGIs; none set: every write is refused.' },
          },
        },
      },
    },
    console: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': false,
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Serve the diagnostics shell on the debug UART (`kabosu console --tty auto`, docs/console.md); false turns it off.' },
        device: { ...PATH, default: '/dev/ttyS0', description: 'Serial device `--tty auto` serves when set here; unset: the board definition\'s debug UART.' },
      },
    },
    ota: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': false,
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Accept updates (kabosu ota install, POST /api/v1/ota, the MQTT ota command); docs/ota.md.' },
        publicKeys: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' }, default: [], description: 'Base64 raw ed25519 public keys that sign bundles (kabosu ota keygen); keys endorsed by one of them in a bundle are trusted too.' },
        channel: { type: 'string', enum: ['stable', 'beta', 'dev'], default: 'stable', description: 'Update channel.' },
        bootTries: { type: 'integer', minimum: 1, maximum: 5, default: 1, description: 'Starts the launcher makes into a new version before rolling back (1: try once).' },
        commitWindowS: { type: 'integer', minimum: 10, maximum: 3600, default: 300, description: 'A new version must prove itself (READY=1, interlocks alive, an accepted share or a clean chain scan) within this many seconds, else it is rolled back.' },
        maxBundleBytes: { type: 'integer', minimum: 1048576, maximum: 4294967296, default: 536870912, description: 'Largest bundle accepted (file, upload or download).' },
      },
    },
    logging: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': true,
      properties: {
        level: { ...LEVEL, default: 'info', description: 'Default level.' },
        levels: { type: 'object', additionalProperties: LEVEL, propertyNames: { pattern: '^[a-z0-9_.-]{1,64}$' }, default: {}, description: 'Per-component levels, by prefix ("chips" covers "chips.bm1485").' },
        pretty: { type: 'boolean', default: false, description: 'Human-readable output (development).' },
      },
    },
    testPool: {
      type: 'object', additionalProperties: false, default: {}, 'x-reloadable': false,
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Run the embedded Stratum test pool.' },
        host: { ...HOST, default: '127.0.0.1', description: 'Listen address.' },
        port: { ...PORT, default: 3333, description: 'Listen port.' },
        pow: { type: 'string', enum: ['scrypt-sim', 'scrypt'], default: 'scrypt-sim', description: 'Share check algorithm.' },
        blockIntervalS: { type: 'number', minimum: 1, maximum: 86400, default: 60, description: 'New block period.' },
        jobIntervalS: { type: 'number', minimum: 1, maximum: 3600, default: 30, description: 'New job period.' },
        difficulty: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Share difficulty.' },
        // -- Stratum V2 (docs/stratum.md "Stratum V2")
        v2Port: { type: 'integer', minimum: 0, maximum: 65535, default: 0, description: 'Also serve Stratum V2 on this port with the public development authority key (0: off).' },
      },
    },
  },
} as const;

/** The validated config, defaults applied. */
export type KabosuConfig = FromSchema<typeof CONFIG_SCHEMA>;
export type PoolConfig = KabosuConfig['pools'][number];
export type ThermalConfig = KabosuConfig['thermal'];
export type HealthConfig = KabosuConfig['health'];
export type LoggingConfig = KabosuConfig['logging'];

export type SectionName = Exclude<keyof typeof CONFIG_SCHEMA.properties, '$schema' | 'version'>;

export const SECTIONS = Object.keys(CONFIG_SCHEMA.properties).filter((k) => k !== '$schema' && k !== 'version') as SectionName[];

export function isReloadable(section: string): boolean {
  const s = (CONFIG_SCHEMA.properties as Record<string, { 'x-reloadable'?: boolean }>)[section];
  return s?.['x-reloadable'] === true;
}

export const RELOADABLE_SECTIONS = SECTIONS.filter(isReloadable);
export const RESTART_SECTIONS = SECTIONS.filter((s) => !isReloadable(s));
