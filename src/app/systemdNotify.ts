/**
 * systemd's notification protocol (sd_notify(3)) for `kabosu run` under the unit
 * (image/systemd/kabosu.service: Type=notify, WatchdogSec=30):
 * - READY=1 once every component started, so `systemctl start` (and an OTA health check
 *   waiting on it) returns when the miner is really up, not when the process was forked;
 * - WATCHDOG=1 every half of WATCHDOG_USEC from the event loop: a loop stuck for longer than
 *   WatchdogSec stops the pings and systemd restarts the daemon (the interlock worker thread
 *   and the PIC's own heartbeat keep the boards safe meanwhile);
 * - STOPPING=1 when shutdown starts.
 * Without NOTIFY_SOCKET (not under systemd) it does nothing. Datagrams go through the addon
 * (native/src/sd_notify.cc): Node's dgram has no AF_UNIX datagram sockets.
 */
import type { Logger } from 'pino';
import { loadAddon } from '../native/load';

export interface NotifyEnv {
  NOTIFY_SOCKET?: string;
  WATCHDOG_USEC?: string;
  WATCHDOG_PID?: string;
}

/** Half of WATCHDOG_USEC in ms when the watchdog is meant for this process, else null. */
export function watchdogPingMs(env: NotifyEnv, pid: number): number | null {
  if (env.WATCHDOG_USEC === undefined || !/^[1-9][0-9]{0,15}$/.test(env.WATCHDOG_USEC)) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(pid)) return null;
  return Math.max(1, Math.floor(Number(env.WATCHDOG_USEC) / 2000));
}

/** A usable NOTIFY_SOCKET: an absolute path or an @abstract name, at most 107 bytes. */
export function notifySocket(env: NotifyEnv): string | null {
  const s = env.NOTIFY_SOCKET;
  if (!s || s.length < 2 || Buffer.byteLength(s) > 107 || (s[0] !== '/' && s[0] !== '@') || s.includes('\0')) return null;
  return s;
}

/** One line of STATUS= text: no newlines (they would start another assignment). */
export function statusLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

export class SystemdNotifier {
  private timer: NodeJS.Timeout | null = null;
  pings = 0;

  private constructor(
    private readonly socket: string,
    private readonly send: (socket: string, message: string) => boolean,
    private readonly log: Logger,
    private readonly pingMs: number | null,
  ) {}

  /** Null when not started by systemd with a notification socket (or no addon to send with). */
  static fromEnv(env: NotifyEnv, log: Logger, send?: (socket: string, message: string) => boolean): SystemdNotifier | null {
    if (env.NOTIFY_SOCKET === undefined) return null;
    const socket = notifySocket(env);
    if (!socket) {
      log.warn({ NOTIFY_SOCKET: env.NOTIFY_SOCKET }, 'NOTIFY_SOCKET is not an absolute path or @name: not notifying systemd');
      return null;
    }
    let sender = send;
    if (!sender) {
      try {
        const addon = loadAddon();
        if (!addon.sdNotify) throw new Error('the addon predates sdNotify');
        sender = (s, m) => addon.sdNotify!(s, m);
      } catch (err) {
        log.error({ err }, 'cannot notify systemd without the kabosu addon: the unit will time out waiting for READY=1');
        return null;
      }
    }
    return new SystemdNotifier(socket, sender, log, watchdogPingMs(env, process.pid));
  }

  ready(status: string): void {
    this.notify(`READY=1\nSTATUS=${statusLine(status)}`);
    if (this.pingMs !== null && !this.timer) {
      this.timer = setInterval(() => {
        this.notify('WATCHDOG=1');
        this.pings++;
      }, this.pingMs);
      this.log.info({ pingMs: this.pingMs }, 'systemd watchdog: pinging from the event loop');
    }
  }

  stopping(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.notify('STOPPING=1');
  }

  private notify(message: string): void {
    try {
      this.send(this.socket, message);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'systemd notification failed');
    }
  }
}
