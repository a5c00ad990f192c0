import mongoose, { Schema } from 'mongoose';

// An employer's pay record, read by _id (the employer's user id) by the publishing guard and
// the public profile: answers by kind and the number of open arrears cases. Changed with $inc
// through the arrears queue of that employer and rebuildable from the answers and cases
// (server/arrears/record.ts), which the tests compare with the live documents.
const payRecordSchema = new Schema(
  {
    _id: { type: String, required: true },
    onTime: { type: Number, default: 0 },
    late: { type: Number, default: 0 },
    unpaid: { type: Number, default: 0 },
    openCases: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export const PayRecord = mongoose.model('PayRecord', payRecordSchema);
