import mongoose, { Schema } from 'mongoose';

// The applications of one posting that may still be pending (`_id` = the posting's id), so that
// when the posting fills, whom to tell is read by `_id` instead of a filter over all
// applications (a whole-collection read on FerretDB). An id is added before its application is
// inserted and removed (best effort) when it stops pending; readers check each application's
// status, so an extra id is harmless. Changed through postingQueue ($addToSet is read-then-write).
const postingApplicantsSchema = new Schema(
  {
    applications: { type: [Schema.Types.ObjectId], default: [] },
  },
  { versionKey: false },
);

export const PostingApplicants = mongoose.model('PostingApplicants', postingApplicantsSchema);
