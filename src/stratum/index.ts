export * from './types';
export { StratumV1Session, type V1SessionOptions, type V1SessionStats } from './v1/session';
export { parsePoolUrl, formatPoolUrl, backoffDelay, type PoolEndpoint } from './v1/url';
export { LineFramer, MAX_LINE } from './v1/framing';
export { parseMessage, type RpcMessage } from './v1/messages';
export { SERVER_HANDLERS, serverHandler, BAD_PARAMS, type HandlerContext, type HandlerEffect, type ServerHandler } from './v1/handlers';
export { StratumV2Session, type V2SessionOptions, type V2SessionStats, isV2Url, parseV2Url } from './v2';
