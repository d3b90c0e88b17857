/**
 * The POSIX tar (ustar) subset the database backup needs: regular files and directories, written
 * to and read from a stream. A backup is then an ordinary `.tar.gz` that `tar -tzf` lists. (node-tar
 * adds files only from disk, and a backup has one that is not there: the label the server returns.)
 *
 * @module
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

const BLOCK = 512;

/** One entry of an archive as read back. */
export interface TarEntry {
  name: string;
  type: 'file' | 'directory';
  mode: number;
  size: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar header; names longer than 100 bytes go into the 155-byte prefix, split at a slash. */
function header(name: string, type: TarEntry['type'], mode: number, size: number, mtime: Date): Buffer {
  const block = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100)
      throw new Error(`path too long for the archive: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  block.write(' '.repeat(8), 148, 'ascii');
  block.write(type === 'directory' ? '5' : '0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

/** Writes a tar stream to `out` (a gzip stream, a file), respecting its backpressure. */
export class TarWriter {
  constructor(private readonly out: Writable) {}

  private async write(chunk: Buffer): Promise<void> {
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  async directory(name: string, mode: number, mtime = new Date()): Promise<void> {
    await this.write(header(name.replace(/\/?$/, '/'), 'directory', mode, 0, mtime));
  }

  async buffer(name: string, data: Buffer, mode = 0o600): Promise<void> {
    await this.write(header(name, 'file', mode, data.length, new Date()));
    await this.write(data);
    await this.pad(data.length);
  }

  /**
   * Adds the file at `source` as it is while being read: exactly the size `stats` gave (a file that
   * grew is cut there, one that shrank is padded with zeros). A server writing its files meanwhile
   * is why the backup also carries the WAL that repairs them.
   */
  async file(name: string, source: string, stats: Stats): Promise<void> {
    const size = stats.size;
    await this.write(header(name, 'file', stats.mode, size, stats.mtime));
    let written = 0;
    if (size > 0) {
      for await (const chunk of createReadStream(source, {
        start: 0,
        end: size - 1,
      }) as AsyncIterable<Buffer>) {
        await this.write(chunk);
        written += chunk.length;
      }
    }
    if (written < size) await this.write(Buffer.alloc(size - written));
    await this.pad(size);
  }

  /** Writes the end-of-archive marker and waits until `out` has flushed. */
  async end(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    this.out.end();
    await finished(this.out);
  }
}

function readOctal(block: Buffer, offset: number, width: number): number {
  const text = block
    .toString('ascii', offset, offset + width)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function readString(block: Buffer, offset: number, width: number): string {
  const raw = block.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end === -1 ? width : end);
}

function parseHeader(block: Buffer): TarEntry {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== readOctal(block, 148, 8)) throw new Error('not a tar archive (bad header checksum)');
  const prefix = readString(block, 345, 155);
  const base = readString(block, 0, 100);
  const flag = String.fromCharCode(block[156]!);
  if (flag !== '0' && flag !== '\0' && flag !== '5')
    throw new Error(`unsupported entry type '${flag}' in the archive (${base})`);
  return {
    name: (prefix ? `${prefix}/${base}` : base).replace(/\/$/, ''),
    type: flag === '5' ? 'directory' : 'file',
    mode: readOctal(block, 100, 8),
    size: readOctal(block, 124, 12),
  };
}

/**
 * Reads a tar stream, calling `onEntry` for each entry; for a file, the path it returns receives
 * the contents (null: skip them). Ends at the end-of-archive marker; a stream that ends before it
 * is an error (a truncated backup).
 */
export async function readTar(
  input: AsyncIterable<Buffer>,
  onEntry: (entry: TarEntry) => Promise<string | null>,
): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let entry: TarEntry | null = null;
  let remaining = 0; // bytes of the current file's contents still to come
  let padding = 0;
  let target: Writable | null = null;
  for await (const chunk of input) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (entry) {
        if (remaining > 0) {
          if (pending.length === 0) break;
          const part = pending.subarray(0, Math.min(remaining, pending.length));
          pending = pending.subarray(part.length);
          remaining -= part.length;
          if (target && !target.write(part)) await once(target, 'drain');
          if (remaining > 0) break;
        }
        if (pending.length < padding) break;
        pending = pending.subarray(padding);
        if (target) {
          target.end();
          await finished(target);
        }
        entry = null;
        target = null;
        continue;
      }
      if (pending.length < BLOCK) break;
      const block = pending.subarray(0, BLOCK);
      pending = pending.subarray(BLOCK);
      if (block.every((byte) => byte === 0)) return; // end of archive
      const next = parseHeader(block);
      const destination = await onEntry(next);
      if (next.type === 'file') {
        entry = next;
        remaining = next.size;
        padding = (BLOCK - (next.size % BLOCK)) % BLOCK;
        target = destination ? createWriteStream(destination, { mode: next.mode & 0o777 }) : null;
      }
    }
  }
  throw new Error('the archive ends before its end marker: it is truncated');
}
