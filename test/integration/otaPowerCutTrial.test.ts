/**
 * Power cut (SIGKILL of the launcher's process group) after the flip, while the new version is on
 * trial before its commit, and at its commit: the launcher then starts a good slot with config,
 * key and history intact (test/helpers/otaPowerCut.ts; KABOSU_OTA_CUT_RUNS repeats each point).
 */
import { test } from 'uvu';
import { registerPowerCuts } from '../helpers/otaPowerCut';

registerPowerCuts('trial');
test.run();
