import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const APPLICATION_STATUSES = ['pending', 'accepted', 'rejected', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

const applicationSchema = new Schema(
  {
    posting: { type: Schema.Types.ObjectId, ref: 'Posting', required: true },
    employer: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    // Copied for the lists (no joins).
    residentName: { type: String, required: true },
    residentPhone: { type: String, required: true },
    postingTitle: { type: String, required: true },
    message: { type: String, trim: true, maxlength: 300, default: '' },
    availability: { type: String, trim: true, maxlength: 200, default: '' },
    status: { type: String, enum: APPLICATION_STATUSES, default: 'pending' },
    // `${posting}:${resident}` while active; unique, so a second active application is refused
    // by the database. Withdrawn applications get a suffixed key (partial indexes are refused).
    activeKey: { type: String, required: true },
    slotNo: { type: Number, default: null },
    onBehalfBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true },
);

applicationSchema.index({ activeKey: 1 }, { unique: true });
applicationSchema.index({ posting: 1, createdAt: 1 });
applicationSchema.index({ resident: 1, createdAt: -1 });

export type ApplicationDoc = InferSchemaType<typeof applicationSchema> & { _id: Types.ObjectId };
export const Application = mongoose.model('Application', applicationSchema);
