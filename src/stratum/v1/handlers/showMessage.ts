/** client.show_message `["text"]`: a message for the operator (capped at 1 KiB); reply true when an id was given. */
import { badParams, replyTo, type HandlerEffect, type ServerHandler } from './types';

export const MAX_MESSAGE_CHARS = 1024;

export const handleShowMessage: ServerHandler = (params, id): HandlerEffect[] => {
  const text = params[0];
  if (typeof text !== 'string') badParams('client.show_message', 'text must be a string');
  return [{ kind: 'message', text: (text as string).slice(0, MAX_MESSAGE_CHARS) }, ...replyTo(id, true)];
};
