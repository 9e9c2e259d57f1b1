/**
 * Work ids on the wire are small (BM1485: 7 bits, chips.md §5.2: a 128-slot queue indexed by the
 * work id). Each chain hands out ids in turn; a slot is overwritten when its id comes round
 * again, so a nonce for an overwritten id is unknown work (counted, never submitted).
 */
export class JobRing<T> {
  private readonly slots: (T | undefined)[];
  private nextId = 0;

  constructor(readonly size: number) {
    this.slots = new Array(size).fill(undefined);
  }

  /** Stores an item under the next id and returns that id. */
  put(item: T): number {
    const id = this.nextId;
    this.slots[id] = item;
    this.nextId = (id + 1) % this.size;
    return id;
  }

  get(id: number): T | undefined {
    return id >= 0 && id < this.size ? this.slots[id] : undefined;
  }

  clear(): void {
    this.slots.fill(undefined);
  }
}
