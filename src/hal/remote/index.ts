export { RemoteHalClient, DEFAULT_CALL_TIMEOUT_MS, reconnectDelay } from './client';
export type { RemoteHalOptions, RemoteHalEvents, RemoteHalLinkState } from './client';
export { RemoteHalServer, gpioLines } from './server';
export type { ServedHal } from './server';
export { MAX_FRAME_BYTES, MAX_BLOCK_BYTES, FrameDecoder, encodeFrame, parseRequest, parseResponse } from './frame';
export type { RemoteTopology, RemoteRequest, RemoteResponse, BusRef } from './frame';
