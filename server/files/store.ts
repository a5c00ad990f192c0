import crypto from 'node:crypto';
import mongoose, { Types } from 'mongoose';

export interface StoredFile {
  id: string;
  name: string;
  type: string;
  size: number;
}

export interface FileMeta {
  type: string;
  access: 'public' | 'private';
  ownerType: string;
  ownerId: string | null;
  uploader: string | null;
}

// GridFS keeps uploads in the database, so any app node can serve any file.
function bucket() {
  return new mongoose.mongo.GridFSBucket(mongoose.connection.db!, { bucketName: 'files' });
}

/**
 * New files get a random 192-bit id, so no id can be guessed from another (ObjectIds are
 * sequential: issue 14, finding 2). Files stored before keep their ObjectId.
 */
function newFileId(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** The stored _id for an id from a URL, or null when it cannot be one of ours. */
function fileKey(id: string): Types.ObjectId | string | null {
  if (/^[a-f\d]{24}$/i.test(id)) return new Types.ObjectId(id);
  if (/^[\w-]{32}$/.test(id)) return id;
  return null;
}

export async function saveFile(data: Buffer, name: string, meta: FileMeta): Promise<StoredFile> {
  const id = newFileId();
  const stream = bucket().openUploadStreamWithId(id as unknown as Types.ObjectId, name, { metadata: meta });
  await new Promise<void>((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('error', reject);
    stream.end(data);
  });
  return { id, name, type: meta.type, size: data.length };
}

export async function fileInfo(id: string): Promise<{ name: string; length: number; meta: FileMeta } | null> {
  const key = fileKey(id);
  if (!key) return null;
  const doc = await mongoose.connection.db!.collection('files.files').findOne({ _id: key as Types.ObjectId });
  if (!doc) return null;
  return { name: doc.filename as string, length: doc.length as number, meta: doc.metadata as FileMeta };
}

export function openFile(id: string) {
  return bucket().openDownloadStream(fileKey(id) as Types.ObjectId);
}

export async function deleteFile(id: string): Promise<void> {
  const key = fileKey(id);
  if (!key) return;
  try {
    await bucket().delete(key as Types.ObjectId);
  } catch {
    /* already gone */
  }
}

/** Attaches files uploaded before their owner existed (e.g. a new posting) to that owner. */
export async function setFileOwner(ids: string[], ownerId: string): Promise<void> {
  for (const id of ids) {
    const key = fileKey(id);
    if (key) await mongoose.connection.db!.collection('files.files').updateOne({ _id: key as Types.ObjectId }, { $set: { 'metadata.ownerId': ownerId } });
  }
}
