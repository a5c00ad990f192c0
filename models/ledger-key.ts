import mongoose, { Schema } from 'mongoose';

// Which ledger entry an idempotency key stored, under the key itself. The ledger's unique index
// on `idempotencyKey` is what refuses a second entry; this document only answers a repeat (a
// double tap, a retried form) by `_id`: on FerretDB a query on the key would read the whole
// ledger, hundreds of thousands of entries after a few years. Written after the entry; a key
// without one (a crash in between, an entry from before it existed) is looked up in the ledger.
const ledgerKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    entry: { type: Schema.Types.ObjectId, ref: 'LedgerEntry', required: true },
  },
  { versionKey: false },
);

export const LedgerKey = mongoose.model('LedgerKey', ledgerKeySchema);
