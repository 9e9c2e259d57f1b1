import type { KabosuConfig } from '../config';
import type { HashBoards } from '../boards';
import type { Component } from './component';

/**
 * The hash boards' place in the lifecycle: they are opened before the components are built
 * (boards/boardsBackendFor); this reports an open failure as its start error (degraded, the
 * daemon runs without boards) and closes them last on stop (components stop in reverse order).
 */
export class BoardsComponent implements Component<KabosuConfig> {
  readonly critical = false;
  readonly name: string;
  constructor(readonly boards: HashBoards) {
    this.name = `${boards.backend}-boards`;
  }
  async start(): Promise<void> {
    if (!this.boards.available) throw this.boards.error;
  }
  async stop(): Promise<void> {
    await this.boards.close();
  }
}
