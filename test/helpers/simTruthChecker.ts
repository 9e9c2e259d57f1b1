import { Worker } from 'node:worker_threads';

/**
 * A thread that polls a `kabosu sim` process's TRUE state (control API) every `pollMs` and posts
 * `{ offAtWallMs }` once chain `chain` is unpowered. It runs on its own thread so it keeps
 * watching while the test blocks its main event loop. Start polling with `postMessage('go')`.
 */
export function startSimTruthChecker(control: string, pollMs: number, chain = 0): Worker {
  const client = require.resolve('../../src/sim/control/client');
  return new Worker(`require('tsx/cjs');
    const { parentPort, workerData } = require('node:worker_threads');
    const { callControl } = require(${JSON.stringify(client)});
    const poll = async () => {
      try {
        const r = await callControl(workerData.control, 'GET', '/v1/state?chips=false');
        if (!r.body.chains[workerData.chain].powered) { parentPort.postMessage({ offAtWallMs: Date.now() }); return; }
      } catch (e) {}
      setTimeout(poll, workerData.pollMs);
    };
    parentPort.once('message', () => poll());`, { eval: true, workerData: { control, pollMs, chain } });
}
