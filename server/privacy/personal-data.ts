import mongoose, { type Types } from 'mongoose';
import { AuditEntry } from '../../models/audit-entry.ts';
// Loaded for ownedBy(), which finds models by name.
import '../../models/notification.ts';
import '../../models/deletion-request.ts';
import { deleteFile } from '../files/store.ts';
import { ownedBy, pick, type ErasureContext, type PersonalData } from './declare.ts';

// Personal data that belongs to no single capability: messages, the audit log, uploaded files and
// the deletion request itself.

/** Records an audit entry may be about: the account and the person's own documents. */
async function recordsOf(ctx: ErasureContext): Promise<string[]> {
  const owned: [string, string][] = [
    ['Enrolment', 'resident'],
    ['Application', 'resident'],
    ['Membership', 'resident'],
    ['Employer', 'user'],
    ['Posting', 'employer'],
  ];
  const ids = await Promise.all(
    owned.map(([m, path]) =>
      mongoose
        .model(m)
        .find({ [path]: ctx.userId }, { _id: 1 })
        .lean(),
    ),
  );
  return [ctx.id, ...ids.flat().map((d) => String(d._id))];
}

// The audit log stays (it is the record of what staff did and why); entries about the person lose
// the name and phone they quote.
const auditEntries: PersonalData = {
  model: 'AuditEntry',
  section: 'audit',
  userPaths: ['actor'],
  kept: 'audit',
  async export(userId) {
    const docs = await AuditEntry.find({ $or: [{ actor: userId }, { targetType: 'user', targetId: String(userId) }] })
      .sort({ at: 1 })
      .lean();
    return docs.map((d) => pick(d as Record<string, unknown>, ['at', 'action', 'actorName', 'actorRole', 'details']));
  },
  async erase(ctx) {
    await AuditEntry.updateMany({ actor: ctx.userId }, { $set: { actorName: ctx.alias } });
    const targets = new Set(await recordsOf(ctx));
    const quoted = new Map<string, string>([
      [ctx.name, ctx.alias],
      [ctx.phone, ''],
    ]);
    for (const e of await AuditEntry.find({ targetId: { $in: [...targets] } }, { details: 1 }).lean()) {
      const raw = (e.details instanceof Map ? Object.fromEntries(e.details) : (e.details ?? {})) as Record<string, string>;
      const details = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, quoted.get(v) ?? v]));
      await AuditEntry.updateOne({ _id: e._id }, { $set: { details } });
    }
  },
};

// Uploaded files (GridFS): those the person uploaded are deleted (an employer's licence, job
// photos); the export lists them by name and size.
const files: PersonalData = {
  model: 'files.files',
  section: 'files',
  userPaths: [],
  async export(userId) {
    const docs = await mongoose.connection
      .db!.collection('files.files')
      .find({ 'metadata.uploader': String(userId) })
      .toArray();
    return docs.map((d) => ({ filename: d.filename, length: d.length, uploadDate: (d.uploadDate as Date | undefined)?.toISOString() ?? null }));
  },
  async erase(ctx) {
    const docs = await mongoose.connection
      .db!.collection('files.files')
      .find({ 'metadata.uploader': ctx.id }, { projection: { _id: 1 } })
      .toArray();
    for (const d of docs) await deleteFile(String(d._id as Types.ObjectId | string));
  },
};

export const privacyData: readonly PersonalData[] = [
  ownedBy('Notification', { subject: 'user', section: 'notifications', fields: ['type', 'params', 'link', 'read', 'createdAt'], erase: 'delete' }),
  auditEntries,
  files,
  ownedBy('DeletionRequest', {
    subject: 'user',
    section: 'deletion',
    fields: ['status', 'requestedAt', 'dueAt', 'cancelledAt'],
    erase: 'keep',
    kept: 'deletion',
  }),
];
