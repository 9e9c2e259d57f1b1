import type { CliCommand } from '../command';
import { KabosuError } from '../../core/errors';

// Placeholder until its issue lands; replaced by the real command.
export const command: CliCommand = {
  summary: '(not built yet)',
  async run() {
    throw new KabosuError('KBS_E_CLI_NOT_BUILT', "'run' is not built yet");
  },
};
