import mongoose, { Schema } from 'mongoose';

// One document per backup attempt, for the admin page's health panel. Nightly runs use the
// deterministic id `nightly:<day>:<attempt>`: inserting it is the claim that stops two app
// nodes from taking the same night's backup (docs/ARCHITECTURE.md: invariants by unique inserts).
const backupRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    trigger: { type: String, enum: ['nightly', 'manual', 'cli'], required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    ok: { type: Boolean, default: null },
    file: { type: String, default: '' },
    size: { type: Number, default: 0 },
    documents: { type: Number, default: 0 },
    error: { type: String, default: '' },
  },
  { versionKey: false },
);

export type BackupRunDoc = mongoose.InferSchemaType<typeof backupRunSchema>;
export const BackupRun = mongoose.model('BackupRun', backupRunSchema);
