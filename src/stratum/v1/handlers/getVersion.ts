/** client.get_version `[]`: reply with the agent string when the request has an id. */
import { replyTo, type HandlerEffect, type ServerHandler } from './types';

export const handleGetVersion: ServerHandler = (_params, id, ctx): HandlerEffect[] => replyTo(id, ctx.agent);
