/**
 * A typed event emitter (conventions 2.1.5). Listeners are registered with an owner key so a
 * component can remove all of its listeners with `off(owner)`. Listener exceptions propagate to
 * the emitter's caller unless the emitter is built with `isolate`: the safety path must never
 * swallow errors (pitfall P7), so isolation is opt-in per bus.
 */
type Listener<T> = (payload: T) => void;

interface Entry<T> {
  owner: unknown;
  fn: Listener<T>;
  once: boolean;
}

export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Entry<never>[]>();

  constructor(private readonly isolate?: (event: keyof Events, err: unknown) => void) {}

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>, owner: unknown = undefined): () => void {
    const list = (this.listeners.get(event) ?? []) as Entry<Events[K]>[];
    const entry: Entry<Events[K]> = { owner, fn, once: false };
    list.push(entry);
    this.listeners.set(event, list as Entry<never>[]);
    return () => this.remove(event, entry);
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>, owner: unknown = undefined): () => void {
    const list = (this.listeners.get(event) ?? []) as Entry<Events[K]>[];
    const entry: Entry<Events[K]> = { owner, fn, once: true };
    list.push(entry);
    this.listeners.set(event, list as Entry<never>[]);
    return () => this.remove(event, entry);
  }

  /** Resolves with the next payload of `event`. */
  next<K extends keyof Events>(event: K): Promise<Events[K]> {
    return new Promise((resolve) => this.once(event, resolve));
  }

  /** Removes every listener registered by `owner`. */
  off(owner: unknown): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(event, list.filter((e) => e.owner !== owner));
    }
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners.get(event) as Entry<Events[K]>[] | undefined;
    if (!list || list.length === 0) return;
    for (const entry of [...list]) {
      if (entry.once) this.remove(event, entry);
      if (this.isolate) {
        try {
          entry.fn(payload);
        } catch (err) {
          this.isolate(event, err);
        }
      } else {
        entry.fn(payload);
      }
    }
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  private remove<K extends keyof Events>(event: K, entry: Entry<Events[K]>): void {
    const list = this.listeners.get(event);
    if (!list) return;
    const i = list.indexOf(entry as Entry<never>);
    if (i >= 0) list.splice(i, 1);
  }
}
