import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomicWrite';
import { HISTORY_SERIES, HistoryRing, type HistoryRecord } from './historyRing';

/**
 * History at rest with bounded SD-card writes: a binary snapshot of the whole ring
 * (`history.bin`, CRC-checked, written atomically every few hours and at stop) plus an
 * append-only journal of minute records (`history.journal`, one CRC per record, appended in
 * batches). A torn or corrupt snapshot is dropped (the journal still restores what it has); a
 * torn journal tail is ignored. Replaying the journal after the snapshot restores the ring.
 */
const MAGIC = 0x4b424831; // "KBH1"
const HEADER_BYTES = 16; // magic, version/series, capacity, crc32 of the body
const RECORD_BYTES = 4 + 4 * HISTORY_SERIES.length + 4; // minute, values, crc32

export function encodeSnapshot(ring: HistoryRing): Buffer {
  const body = Buffer.concat([Buffer.from(ring.minutes.buffer, ring.minutes.byteOffset, ring.minutes.byteLength), Buffer.from(ring.values.buffer, ring.values.byteOffset, ring.values.byteLength)]);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(HISTORY_SERIES.length, 4);
  head.writeUInt32LE(ring.capacity, 8);
  head.writeUInt32LE(crc32(body), 12);
  return Buffer.concat([head, body]);
}

/** The ring a snapshot holds, or a reason it cannot be used. */
export function decodeSnapshot(buf: Buffer, capacity: number): { ok: true; ring: HistoryRing } | { ok: false; problem: string } {
  if (buf.length < HEADER_BYTES) return { ok: false, problem: 'shorter than its header' };
  if (buf.readUInt32LE(0) !== MAGIC) return { ok: false, problem: 'not a kabosu history file' };
  if (buf.readUInt32LE(4) !== HISTORY_SERIES.length || buf.readUInt32LE(8) !== capacity) return { ok: false, problem: 'another layout (series or span changed)' };
  const body = buf.subarray(HEADER_BYTES);
  if (body.length !== capacity * 4 * (1 + HISTORY_SERIES.length)) return { ok: false, problem: 'truncated' };
  if (crc32(body) !== buf.readUInt32LE(12)) return { ok: false, problem: 'checksum mismatch' };
  const ring = new HistoryRing(capacity);
  const copy = Buffer.from(body); // aligned copy
  ring.minutes.set(new Uint32Array(copy.buffer, copy.byteOffset, capacity));
  ring.values.set(new Float32Array(copy.buffer, copy.byteOffset + capacity * 4, capacity * HISTORY_SERIES.length));
  return { ok: true, ring };
}

export function encodeRecord(r: HistoryRecord): Buffer {
  const b = Buffer.alloc(RECORD_BYTES);
  b.writeUInt32LE(r.minute, 0);
  HISTORY_SERIES.forEach((s, i) => b.writeFloatLE(r[s], 4 + 4 * i));
  b.writeUInt32LE(crc32(b.subarray(0, RECORD_BYTES - 4)), RECORD_BYTES - 4);
  return b;
}

/** Every intact record of a journal; stops at the first torn or corrupt one. */
export function decodeJournal(buf: Buffer): { records: HistoryRecord[]; damagedBytes: number } {
  const records: HistoryRecord[] = [];
  let off = 0;
  for (; off + RECORD_BYTES <= buf.length; off += RECORD_BYTES) {
    const rec = buf.subarray(off, off + RECORD_BYTES);
    if (crc32(rec.subarray(0, RECORD_BYTES - 4)) !== rec.readUInt32LE(RECORD_BYTES - 4)) break;
    const r = { minute: rec.readUInt32LE(0) } as HistoryRecord;
    HISTORY_SERIES.forEach((s, i) => (r[s] = rec.readFloatLE(4 + 4 * i)));
    records.push(r);
  }
  return { records, damagedBytes: buf.length - off };
}

export interface HistoryLoad {
  ring: HistoryRing;
  problems: string[];
}

export class HistoryFiles {
  constructor(
    readonly snapshotPath: string,
    readonly journalPath: string,
    readonly capacity: number,
  ) {}

  load(): HistoryLoad {
    const problems: string[] = [];
    let ring = new HistoryRing(this.capacity);
    if (existsSync(this.snapshotPath)) {
      const d = decodeSnapshot(readFileSync(this.snapshotPath), this.capacity);
      if (d.ok) ring = d.ring;
      else problems.push(`${this.snapshotPath}: ${d.problem}; starting from the journal`);
    }
    if (existsSync(this.journalPath)) {
      const j = decodeJournal(readFileSync(this.journalPath));
      for (const r of j.records) ring.put(r);
      if (j.damagedBytes) problems.push(`${this.journalPath}: ${j.damagedBytes} damaged bytes at the end ignored`);
    }
    return { ring, problems };
  }

  /** Appends records to the journal and fsyncs it. Returns the bytes written. */
  append(records: HistoryRecord[]): number {
    if (records.length === 0) return 0;
    const buf = Buffer.concat(records.map(encodeRecord));
    appendFileSync(this.journalPath, buf, { mode: 0o600 });
    const fd = openSync(this.journalPath, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return buf.length;
  }

  /** Writes the whole ring atomically, then empties the journal it supersedes. Returns bytes. */
  snapshot(ring: HistoryRing): number {
    const buf = encodeSnapshot(ring);
    writeFileAtomic(this.snapshotPath, buf, { mode: 0o600 });
    if (existsSync(this.journalPath)) truncateSync(this.journalPath, 0);
    return buf.length;
  }
}

export const HISTORY_RECORD_BYTES = RECORD_BYTES;
