import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const CENTER_LEVELS = ['city', 'town', 'village'] as const;
export type CenterLevel = (typeof CENTER_LEVELS)[number];

const centerSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    nameEn: { type: String, trim: true, maxlength: 120, default: '' },
    level: { type: String, enum: CENTER_LEVELS, required: true },
    parent: { type: Schema.Types.ObjectId, ref: 'Center', default: null },
    // Materialized path (root first) so "this center and those below it" is one equality match.
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    address: { type: String, trim: true, maxlength: 200, default: '' },
    hours: { type: String, trim: true, maxlength: 120, default: '' },
    phone: { type: String, trim: true, maxlength: 30, default: '' },
  },
  { timestamps: true },
);

centerSchema.index({ ancestors: 1 });
centerSchema.index({ parent: 1, name: 1 }, { unique: true });

export type CenterDoc = InferSchemaType<typeof centerSchema> & { _id: Types.ObjectId };
export const Center = mongoose.model('Center', centerSchema);
