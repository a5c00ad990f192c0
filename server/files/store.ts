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

export async function saveFile(data: Buffer, name: string, meta: FileMeta): Promise<StoredFile> {
  const stream = bucket().openUploadStream(name, { metadata: meta });
  await new Promise<void>((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('error', reject);
    stream.end(data);
  });
  return { id: String(stream.id), name, type: meta.type, size: data.length };
}

export async function fileInfo(id: string): Promise<{ name: string; length: number; meta: FileMeta } | null> {
  if (!/^[a-f\d]{24}$/i.test(id)) return null;
  const doc = await mongoose.connection.db!.collection('files.files').findOne({ _id: new Types.ObjectId(id) });
  if (!doc) return null;
  return { name: doc.filename as string, length: doc.length as number, meta: doc.metadata as FileMeta };
}

export function openFile(id: string) {
  return bucket().openDownloadStream(new Types.ObjectId(id));
}

export async function deleteFile(id: string): Promise<void> {
  try {
    await bucket().delete(new Types.ObjectId(id));
  } catch {
    /* already gone */
  }
}

/** Attaches files uploaded before their owner existed (e.g. a new posting) to that owner. */
export async function setFileOwner(ids: string[], ownerId: string): Promise<void> {
  if (!ids.length) return;
  for (const id of ids) {
    await mongoose.connection.db!.collection('files.files').updateOne({ _id: new Types.ObjectId(id) }, { $set: { 'metadata.ownerId': ownerId } });
  }
}
