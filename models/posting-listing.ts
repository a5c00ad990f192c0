import mongoose, { Schema } from 'mongoose';

// The postings open to the public now, one small document each (`_id` = the posting's id), so
// that the job list reads its postings by `_id` instead of a filter over every posting ever made
// (a whole-collection read on FerretDB, which grows with the years: about 1 s for 2,000 postings
// on the center's PC). Added when a posting is published, removed when it leaves the list
// (server/gigs/service/listings.ts); readers check each posting's status and dates, so an
// extra one is harmless, and the expiry job mends the set from the postings themselves.
const postingListingSchema = new Schema({ _id: { type: Schema.Types.ObjectId, required: true } }, { versionKey: false });

export const PostingListing = mongoose.model('PostingListing', postingListingSchema);
