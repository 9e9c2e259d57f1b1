/** Bounded FIFO of messages held while the broker is away; drops the oldest when full. */
export interface QueuedMessage { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }

export class OfflineQueue {
  private items: QueuedMessage[] = [];
  dropped = 0;
  constructor(private readonly max: number) {}
  push(m: QueuedMessage): void {
    if (this.max <= 0) { this.dropped++; return; }
    if (this.items.length >= this.max) { this.items.shift(); this.dropped++; }
    this.items.push(m);
  }
  get length(): number { return this.items.length; }
  /** Removes and returns everything, oldest first. */
  drain(): QueuedMessage[] { const out = this.items; this.items = []; return out; }
}
