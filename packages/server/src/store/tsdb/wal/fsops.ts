/**
 * The file operations the WAL writer performs, behind an interface so tests can inject failures
 * (ENOSPC, EIO) without filling a disk. Raw fds and callback-style fs calls keep per-call overhead low.
 */
import fs from 'node:fs';

export interface WalFileOps {
  /** Opens (creating if needed) a file for writing; returns the fd. */
  open(path: string): Promise<number>;
  /** Writes `length` bytes of `buffer` from `offset` at file `position`; returns bytes written (may be short). */
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  /** Size of an open file. */
  size(fd: number): Promise<number>;
}

export const nodeFileOps: WalFileOps = {
  open: (path) =>
    new Promise((resolve, reject) => {
      fs.open(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644, (err, fd) => (err ? reject(err) : resolve(fd)));
    }),
  write: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) => {
      fs.write(fd, buffer, offset, length, position, (err, written) => (err ? reject(err) : resolve(written)));
    }),
  fsync: (fd) =>
    new Promise((resolve, reject) => {
      fs.fsync(fd, (err) => (err ? reject(err) : resolve()));
    }),
  ftruncate: (fd, length) =>
    new Promise((resolve, reject) => {
      fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve()));
    }),
  close: (fd) =>
    new Promise((resolve, reject) => {
      fs.close(fd, (err) => (err ? reject(err) : resolve()));
    }),
  size: (fd) =>
    new Promise((resolve, reject) => {
      fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size)));
    }),
};

/** fsyncs a directory so entries created, renamed or removed in it are durable. Best effort on platforms that refuse. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await fh?.close();
  }
}
