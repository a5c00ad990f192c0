import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const EMPLOYER_STATUSES = ['unverified', 'pending', 'verified', 'rejected'] as const;
export type EmployerStatus = (typeof EMPLOYER_STATUSES)[number];

// An employer account's company profile; staff of `center` (or above) verify it.
const employerSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    name: { type: String, required: true, trim: true, maxlength: 80 },
    contactName: { type: String, required: true, trim: true, maxlength: 40 },
    phone: { type: String, required: true, trim: true, maxlength: 30 },
    address: { type: String, required: true, trim: true, maxlength: 200 },
    creditCode: { type: String, required: true, uppercase: true, match: /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/ },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    // Copied from the center tree so moderation filters need no join.
    centerPath: { type: [Schema.Types.ObjectId], default: [] },
    licenseFile: { type: String, default: '' },
    licenseFileName: { type: String, default: '' },
    status: { type: String, enum: EMPLOYER_STATUSES, default: 'pending' },
    reason: { type: String, default: '' },
    decidedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    decidedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

employerSchema.index({ user: 1 }, { unique: true });
employerSchema.index({ status: 1 });

export type EmployerDoc = InferSchemaType<typeof employerSchema> & { _id: Types.ObjectId };
export const Employer = mongoose.model('Employer', employerSchema);
