import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// A person's request to have their personal information deleted (PIPL art. 47), under the
// deterministic id `del:<user>` so there is only ever one per person (requesting twice is the
// same document). It waits out a cooling-off period (`dueAt`) during which the person can cancel;
// then the deletion job carries it out step by step, noting each finished step in `done`, so a
// run that stops half-way is finished by the next one. It holds no personal data itself.
const deletionRequestSchema = new Schema(
  {
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    role: { type: String, enum: ['resident', 'employer'], required: true },
    // The person's home center: staff of this center (and those above) see the request.
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    status: { type: String, enum: ['pending', 'cancelled', 'running', 'done'], required: true },
    requestedAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    cancelledAt: { type: Date, default: null },
    // What replaces the name in the records that must stay (e.g. "已注销居民 #A3F09C").
    alias: { type: String, required: true },
    done: { type: [String], default: [] },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export const deletionRequestId = (user: string) => `del:${user}`;
export type DeletionRequestDoc = InferSchemaType<typeof deletionRequestSchema>;
export const DeletionRequest = mongoose.model('DeletionRequest', deletionRequestSchema);
