import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// Gig categories: the built-in list plus any staff add. `key` is what postings store.
const categorySchema = new Schema(
  {
    key: { type: String, required: true, match: /^[a-z][a-z0-9-]{1,30}$/ },
    name: { type: String, required: true, trim: true, maxlength: 30 },
    nameEn: { type: String, required: true, trim: true, maxlength: 60 },
    order: { type: Number, default: 100 },
    builtin: { type: Boolean, default: false },
  },
  { timestamps: true },
);

categorySchema.index({ key: 1 }, { unique: true });

export type CategoryDoc = InferSchemaType<typeof categorySchema> & { _id: Types.ObjectId };
export const Category = mongoose.model('Category', categorySchema);
