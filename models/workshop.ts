import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A common-prosperity workshop (共富工坊) run by a center. Tasks live in their own collection
// (models/task.ts); the training it requires is a course category and/or specific courses.
const workshopSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    description: { type: String, trim: true, maxlength: 2000, default: '' },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    address: { type: String, trim: true, maxlength: 200, default: '' },
    hours: { type: String, trim: true, maxlength: 200, default: '' },
    // Photo URLs (served from our origin); upload is optional.
    photos: { type: [String], default: [] },
    lead: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    leadName: { type: String, default: '' },
    trainingCategory: { type: String, trim: true, maxlength: 60, default: '' },
    trainingCourses: { type: [Schema.Types.ObjectId], default: [] },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);

workshopSchema.index({ center: 1 });

export type WorkshopDoc = InferSchemaType<typeof workshopSchema> & { _id: Types.ObjectId };
export const Workshop = mongoose.model('Workshop', workshopSchema);
