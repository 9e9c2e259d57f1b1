import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A real AF_UNIX datagram socket standing in for systemd's notification socket (python3, as
 * Node has no unix datagram sockets): every datagram received, in order, as a string.
 * `address` is a filesystem path or "@name" (abstract namespace).
 */
export async function startNotifyReceiver(address: string): Promise<{ got: string[]; close: () => void; proc: ChildProcess }> {
  const py = [
    'import socket, sys, json',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    'a = sys.argv[1]',
    "s.bind('\\0' + a[1:] if a.startswith('@') else a)",
    "print('bound', flush=True)",
    'while True:',
    "    print(json.dumps(s.recv(65536).decode('utf-8', 'replace')), flush=True)",
  ].join('\n');
  const proc = spawn('python3', ['-u', '-c', py, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const got: string[] = [];
  const lines = createInterface({ input: proc.stdout! });
  await new Promise<void>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`notify receiver exited ${code}`)));
    lines.once('line', () => resolve());
  });
  lines.on('line', (l) => got.push(JSON.parse(l) as string));
  return { got, proc, close: () => proc.kill() };
}
