import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from './errors.js';

/**
 * One file from a multipart/form-data body, held in memory (at most `maxBytes`: the route stores it in
 * the database anyway), as `req.file`. Every other part, and a second file, is refused.
 */
export function fileUpload(field: string, maxBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names as raw UTF-8 (not latin1, multer's default).
    defParamCharset: 'utf8',
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 20 },
  }).single(field);
  return (req, res, next) =>
    parse(req, res, (err: unknown) => {
      if (err === undefined || err === null) {
        if (!req.file) return next(new AppError(400, 'file_required', `Send the file as multipart/form-data, in a part named "${field}".`));
        return next();
      }
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(new AppError(413, 'file_too_large', `Files can be at most ${Math.round(maxBytes / 1024 / 1024)} MB.`));
        }
        return next(new AppError(400, 'file_required', `Send exactly one file, in a part named "${field}" (and nothing else).`));
      }
      next(new AppError(400, 'bad_request', 'The multipart/form-data body is malformed.'));
    });
}
