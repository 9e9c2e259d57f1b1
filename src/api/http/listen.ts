import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server of the daemon listening on host:port, with the timeouts every LAN-facing
 * server here uses (a slowloris cannot hold a socket: headers within 10 s, the whole request
 * within 15 s). Resolves once listening; rejects with the listen error (EADDRINUSE, EACCES).
 */
export async function listenHttp(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number, o: { keepAliveTimeoutMs?: number } = {}): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer(handler);
  if (o.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = o.keepAliveTimeoutMs;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, address: server.address() as AddressInfo };
}

/** Closes a server and every connection it holds (keep-alive sockets included). */
export async function closeHttp(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
