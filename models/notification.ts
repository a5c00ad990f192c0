import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// The text is rendered at read time from `type` + `params` in the reader's language.
const notificationSchema = new Schema({
  user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  type: { type: String, required: true },
  params: { type: Map, of: String, default: {} },
  link: { type: String, default: '' },
  read: { type: Boolean, default: false },
  createdAt: { type: Date, default: () => new Date() },
});

notificationSchema.index({ user: 1, createdAt: -1 });

export type NotificationDoc = InferSchemaType<typeof notificationSchema> & { _id: Types.ObjectId };
export const Notification = mongoose.model('Notification', notificationSchema);
