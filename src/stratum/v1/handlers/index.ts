/** Server->client method name -> handler (conventions 2.1: one handler per method). */
import { handleGetVersion } from './getVersion';
import { handleNotify } from './notify';
import { handleReconnect } from './reconnect';
import { handleSetDifficulty } from './setDifficulty';
import { handleSetExtranonce } from './setExtranonce';
import { handleShowMessage } from './showMessage';
import type { ServerHandler } from './types';

export const SERVER_HANDLERS: Readonly<Record<string, ServerHandler>> = Object.freeze({
  'mining.notify': handleNotify,
  'mining.set_difficulty': handleSetDifficulty,
  'mining.set_extranonce': handleSetExtranonce,
  'client.reconnect': handleReconnect,
  'client.get_version': handleGetVersion,
  'client.show_message': handleShowMessage,
});

/** The handler for `method`, or undefined (no prototype lookups: `__proto__`, `toString` are unknown). */
export function serverHandler(method: string): ServerHandler | undefined {
  return Object.prototype.hasOwnProperty.call(SERVER_HANDLERS, method) ? SERVER_HANDLERS[method] : undefined;
}

export * from './types';
export { MAX_RECONNECT_WAIT_MS } from './reconnect';
export { MAX_MESSAGE_CHARS } from './showMessage';
export { parseSubscribeResult, subscribeOutcome, subscribeParams, type Subscription, type SubscribeOutcome } from './subscribe';
export { authorizeOutcome, type AuthorizeOutcome } from './authorize';
export { submitOutcome, submitParams } from './submit';
export { extranonceSubscribeOutcome, type ExtranonceSubscribeOutcome } from './extranonceSubscribe';
export { suggestDifficultyParams } from './suggestDifficulty';
export { configureParams, configureOutcome, type ConfigureOutcome } from './configure';
export { difficultyEffect, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY } from './setDifficulty';
export { handleNotify, handleSetDifficulty, handleSetExtranonce, handleReconnect, handleGetVersion, handleShowMessage };
