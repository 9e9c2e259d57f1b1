/**
 * Power cut (SIGKILL) during the download, during the write, and after the write before the
 * flip: the launcher then starts the committed app with config, key and history intact, and the
 * download resumes (test/helpers/otaPowerCut.ts; KABOSU_OTA_CUT_RUNS repeats each point).
 */
import { test } from 'uvu';
import { registerPowerCuts } from '../helpers/otaPowerCut';

registerPowerCuts('install');
test.run();
