import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const CASE_RESOLUTIONS = ['paid', 'referred', 'other'] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];

const noteSchema = new Schema(
  {
    at: { type: Date, default: () => new Date() },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    byName: { type: String, required: true },
    text: { type: String, required: true, maxlength: 500 },
  },
  { _id: false },
);

// A wage-arrears case (欠薪): opened when a hired worker answers "not paid", handled by staff of
// the posting's center (or above), who add notes and resolve it. One per job and worker, under
// the same `_id` as the answer (`<posting>:<worker>`). Notes and the resolution are written
// through the per-employer arrears queue, so two staff notes never overwrite each other.
const arrearsCaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    posting: { type: Schema.Types.ObjectId, ref: 'Posting', required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    employer: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    // The center and all above it: "open cases of this center and those below" is one match.
    centerPath: { type: [Schema.Types.ObjectId], default: [] },
    // Copied for the lists and the case page (no joins).
    postingTitle: { type: String, required: true },
    employerName: { type: String, required: true },
    workerName: { type: String, required: true },
    workerPhone: { type: String, required: true },
    startDay: { type: String, required: true },
    endDay: { type: String, required: true },
    payFen: { type: Number, default: 0 },
    payType: { type: String, default: '' },
    state: { type: String, enum: ['open', 'resolved'], default: 'open' },
    notes: { type: [noteSchema], default: [] },
    resolution: { type: String, enum: [...CASE_RESOLUTIONS, ''], default: '' },
    resolutionText: { type: String, default: '', maxlength: 500 },
    resolvedBy: { type: String, default: '' },
    resolvedAt: { type: Date, default: null },
    openedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

arrearsCaseSchema.index({ state: 1, centerPath: 1 });
arrearsCaseSchema.index({ employer: 1 });

export type ArrearsCaseDoc = InferSchemaType<typeof arrearsCaseSchema> & { _id: string };
export const ArrearsCase = mongoose.model('ArrearsCase', arrearsCaseSchema);
