import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// How a person wants to be told (_id = the user's id, read by _id on every notify). No document
// means the default: on the site only. `lang` is the language of the text messages, chosen on
// the same form (it defaults to the language the page was shown in).
const notificationPrefsSchema = new Schema(
  {
    _id: { type: String, required: true },
    sms: { type: Boolean, default: false },
    lang: { type: String, enum: ['zh-CN', 'en'], default: 'zh-CN' },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export type NotificationPrefsDoc = InferSchemaType<typeof notificationPrefsSchema>;
export const NotificationPrefs = mongoose.model('NotificationPrefs', notificationPrefsSchema);
