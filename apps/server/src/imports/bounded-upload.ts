import { PayloadTooLargeException } from '@nestjs/common';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { Readable } from 'node:stream';

/** Multipart import limits (documented in SECURITY.md). */
export const UPLOAD_LIMITS = {
  /** Bytes per uploaded file. */
  maxFileBytes: 2 * 1024 * 1024,
  /** Bytes of all files of one request together. */
  maxTotalBytes: 20 * 1024 * 1024,
  maxFiles: 500,
} as const;

const TOTAL = Symbol('uploadedBytes');
type Counted = Request & { [TOTAL]?: number };

const tooLarge = () =>
  new PayloadTooLargeException(
    `the uploaded files exceed ${UPLOAD_LIMITS.maxTotalBytes} bytes in total; split the import`,
  );

/**
 * Multer storage that keeps files in memory but counts the bytes of the whole request as they
 * stream in, and stops (413) as soon as the total limit is passed: nothing beyond the limit is
 * ever buffered, whatever the client declares. Per-file size and count are multer `limits`.
 */
export function boundedMemoryStorage(): StorageEngine {
  return {
    _handleFile(req, file, cb) {
      const counted = req as Counted;
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      const stream = file.stream as Readable;
      stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        counted[TOTAL] = (counted[TOTAL] ?? 0) + chunk.length;
        if (counted[TOTAL]! > UPLOAD_LIMITS.maxTotalBytes) {
          failed = true;
          chunks.length = 0;
          stream.resume();
          cb(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (e) => {
        if (!failed) {
          failed = true;
          cb(e);
        }
      });
      stream.on('end', () => {
        if (!failed) cb(null, { buffer: Buffer.concat(chunks, size), size });
      });
    },
    _removeFile(_req, file, cb) {
      delete (file as { buffer?: Buffer }).buffer;
      cb(null);
    },
  };
}

export const multerOptions = () => ({
  storage: boundedMemoryStorage(),
  limits: { fileSize: UPLOAD_LIMITS.maxFileBytes, files: UPLOAD_LIMITS.maxFiles, fields: 20, parts: 520 },
});
