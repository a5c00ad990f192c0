import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { fileTypeFromBuffer } from 'file-type';
import { saveFile, deleteFile, type StoredFile } from './store.ts';

export type FileKind = 'image' | 'pdf' | 'office';

// Checked against the bytes, never the file name or the browser's claimed type.
const ALLOWED: Record<FileKind, string[]> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  pdf: ['application/pdf'],
  office: [
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/x-cfb', // legacy .doc/.xls/.ppt
  ],
};

declare global {
  namespace Express {
    interface Request {
      /** Files stored by `uploadFiles`, in form order. */
      uploaded?: StoredFile[];
      /** i18n key when the upload was refused; nothing is stored then. */
      uploadError?: string;
      /** Owner id recorded on the stored files (set before `uploadFiles` runs), or use `ownerId` option. */
      uploadOwnerId?: string;
    }
  }
}

export interface UploadOptions {
  field: string;
  maxFiles: number;
  maxBytes: number;
  kinds: FileKind[];
  access: 'public' | 'private';
  ownerType: string;
  ownerId?: (req: Request) => string | undefined;
}

/** Keeps only a plain base name: no directories, control characters or absurd lengths. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // Bidirectional controls (U+202E etc.) would let "gpj.exe" show as "exe.jpg" (finding 10).
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is stripped
    .replace(/[\u0000-\u001f\u007f-\u009f"<>|:*?\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^\.+/, '')
    .trim();
  return (cleaned || 'file').slice(-100);
}

/**
 * Parses a multipart form (text fields land in req.body as usual), checks each file's content
 * and size, and stores accepted files in GridFS. On any refusal nothing is stored and
 * `req.uploadError` says why, so the route can show the form again with that message.
 * Routes that refuse the form for other reasons call `discardUploads(req)`.
 */
export function uploadFiles(opts: UploadOptions): RequestHandler[] {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: opts.maxBytes, files: opts.maxFiles, fields: 200, fieldSize: 100 * 1024, parts: 260 },
  }).array(opts.field, opts.maxFiles);
  const allowed = opts.kinds.flatMap((k) => ALLOWED[k]);

  const parseStep: RequestHandler = (req, res, next) =>
    parse(req, res, (err: unknown) => {
      req.body ??= {};
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') req.uploadError = 'errors.fileTooLarge';
      else if (code === 'LIMIT_FILE_COUNT' || code === 'LIMIT_UNEXPECTED_FILE') req.uploadError = 'errors.tooManyFiles';
      else if (err instanceof multer.MulterError) req.uploadError = 'errors.upload';
      else return next(err);
      req.files = [];
      next();
    });

  const storeStep: RequestHandler = async (req, _res, next) => {
    req.uploaded = [];
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    if (req.uploadError || !files.length) return next();
    const checked: { file: Express.Multer.File; type: string }[] = [];
    for (const file of files) {
      if (!file.size) continue; // an empty file input
      const detected = await fileTypeFromBuffer(file.buffer);
      if (!detected || !allowed.includes(detected.mime)) {
        // A photo-only field says so (not "images, PDFs or documents").
        req.uploadError = opts.kinds.every((k) => k === 'image') ? 'errors.imageType' : 'errors.fileType';
        return next();
      }
      checked.push({ file, type: detected.mime });
    }
    const ownerId = opts.ownerId?.(req) ?? req.uploadOwnerId ?? null;
    for (const { file, type } of checked) {
      const name = cleanFileName(Buffer.from(file.originalname, 'latin1').toString('utf8'));
      req.uploaded.push(await saveFile(file.buffer, name, { type, access: opts.access, ownerType: opts.ownerType, ownerId, uploader: req.user?.id ?? null }));
    }
    req.files = [];
    next();
  };

  return [parseStep, storeStep];
}

export async function discardUploads(req: Request): Promise<void> {
  for (const f of req.uploaded ?? []) await deleteFile(f.id);
  req.uploaded = [];
}

type AccessPolicy = (user: Express.User | undefined, ownerId: string | null) => Promise<boolean> | boolean;
const policies = new Map<string, AccessPolicy>();

/** Who may download private files of an owner type (e.g. course materials: enrolled residents and staff). */
export function registerFileAccess(ownerType: string, policy: AccessPolicy): void {
  policies.set(ownerType, policy);
}

/** Files whose access a policy decides (it can end), so no shared cache may keep them. */
export function hasAccessPolicy(ownerType: string): boolean {
  return policies.has(ownerType);
}

/**
 * An owner type with a policy is always decided by it, whatever `access` the file was stored
 * with: posting attachments stored as public before issue 14 follow their posting's status too.
 */
export async function mayRead(user: Express.User | undefined, meta: { access: string; ownerType: string; ownerId: string | null }): Promise<boolean> {
  if (user?.role === 'admin') return true;
  const policy = policies.get(meta.ownerType);
  if (policy) return !!(await policy(user, meta.ownerId));
  return meta.access === 'public';
}
