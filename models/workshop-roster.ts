import mongoose, { Schema } from 'mongoose';

// What a workshop's live board needs besides the day's summary, under the workshop's id (one
// document per workshop, so it does not grow with the years): its members in joining order
// (work station n = members[n-1]) and its open orders. The board is refreshed after every
// entry; reading this by _id spares it a query on memberships and orders, which FerretDB would
// answer by reading every membership and order ever stored. Kept by server/workshops/roster.ts
// (rosterQueue), rebuilt from memberships and orders with the summaries (rebuildSummaries).
// Ids only (as strings, like the summaries): names stay on the memberships.
const rosterSchema = new Schema(
  {
    _id: { type: String, required: true },
    members: {
      type: [{ _id: false, id: { type: String, required: true }, resident: { type: String, required: true }, joinedAt: { type: Date, required: true } }],
      default: [],
    },
    orders: { type: [{ _id: false, id: { type: String, required: true }, quantity: { type: Number, required: true } }], default: [] },
  },
  { versionKey: false },
);

export const WorkshopRoster = mongoose.model('WorkshopRoster', rosterSchema);
