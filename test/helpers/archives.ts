import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** One entry of a test archive, written exactly as given (names are not checked: tests forge hostile ones). */
export interface TestEntry {
  name: string;
  data?: string | Buffer;
  /** A Unix mode with its file-type bits (0o120777 makes a symbolic link); a regular file by default. */
  mode?: number;
  /** The size the zip's headers declare, when it must differ from the data's (a lying entry). */
  declaredSize?: number;
  deflate?: boolean;
  /** A tar link's target (for `type: 'SymbolicLink'`). */
  linkpath?: string;
  type?: 'File' | 'SymbolicLink' | 'Directory';
}

const bytesOf = (data: string | Buffer | undefined): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data ?? '', 'utf8');

/** A zip with stored or deflated entries and Unix modes, built by hand (the format's plain layout). */
export function buildZip(entries: readonly TestEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    const packed = entry.deflate ? deflateRawSync(data) : data;
    const size = entry.declaredSize ?? data.length;
    const fileName = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the external attributes hold a mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A gzip'd tar whose headers say exactly what the entries say (tar's own Header encodes them). */
export function buildTarGz(entries: readonly TestEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    const type = entry.type ?? 'File';
    const header = Buffer.alloc(512);
    new Header({
      path: entry.name,
      mode: 0o644,
      size: type === 'File' ? data.length : 0,
      type,
      mtime: new Date(0),
      ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
    }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && data.length > 0) {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
