import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const POSTING_STATUSES = ['draft', 'submitted', 'published', 'rejected', 'filled', 'closed', 'expired'] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];
export const PAY_TYPES = ['hour', 'day', 'piece', 'job'] as const;
export type PayType = (typeof PAY_TYPES)[number];
export const SUITABILITY = ['older', 'light', 'halfDay', 'nearHome'] as const;

const attachmentSchema = new Schema({ id: String, name: String, type: String, size: Number }, { _id: false });

const postingSchema = new Schema(
  {
    employer: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    // Copied from the employer profile for search and lists (no populate / $lookup).
    employerName: { type: String, required: true, maxlength: 80 },
    title: { type: String, required: true, trim: true, maxlength: 60 },
    description: { type: String, required: true, trim: true, maxlength: 3000 },
    category: { type: String, required: true },
    payType: { type: String, enum: PAY_TYPES, required: true },
    payFen: { type: Number, required: true, min: 1, validate: Number.isInteger },
    headcount: { type: Number, required: true, min: 1, max: 500 },
    // yyyy-mm-dd in Asia/Shanghai; strings compare in date order.
    startDay: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    endDay: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    dailyHours: { type: String, trim: true, maxlength: 60, default: '' },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    // The center and all above it, so "this center and those below" is one equality match.
    centerPath: { type: [Schema.Types.ObjectId], default: [] },
    address: { type: String, trim: true, maxlength: 200, default: '' },
    reqAge: { type: String, trim: true, maxlength: 100, default: '' },
    reqPhysical: { type: String, trim: true, maxlength: 200, default: '' },
    reqSkills: { type: String, trim: true, maxlength: 300, default: '' },
    suitability: { type: [String], default: [] },
    contact: { type: String, trim: true, maxlength: 200, default: '' },
    attachments: { type: [attachmentSchema], default: [] },
    status: { type: String, enum: POSTING_STATUSES, default: 'draft' },
    reason: { type: String, default: '' },
    // The status a closed posting had, so that the employer can reopen it (see reopenPosting).
    closedFrom: { type: String, default: '' },
    // Short numeric code for the desk and the phone.
    code: { type: String, required: true },
    // Display copy of the number of claimed slots (the slots themselves are the truth).
    acceptedCount: { type: Number, default: 0 },
    submittedAt: { type: Date, default: null },
    publishedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

postingSchema.index({ code: 1 }, { unique: true });
postingSchema.index({ employer: 1, createdAt: -1 });
postingSchema.index({ status: 1, centerPath: 1 });

postingSchema.pre('validate', function () {
  if (this.startDay && this.endDay && this.endDay < this.startDay) this.invalidate('endDay', 'end before start');
});

export type PostingDoc = InferSchemaType<typeof postingSchema> & { _id: Types.ObjectId };
export const Posting = mongoose.model('Posting', postingSchema);
