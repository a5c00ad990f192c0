import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const ROLES = ['resident', 'employer', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const userSchema = new Schema(
  {
    phone: { type: String, required: true, match: /^1[3-9]\d{9}$/ },
    passwordHash: { type: String, default: null },
    name: { type: String, required: true, trim: true, maxlength: 40 },
    role: { type: String, enum: ROLES, required: true },
    email: { type: String, trim: true, lowercase: true, maxlength: 120, default: '' },
    homeCenter: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    // Staff act on this center and every center below it.
    staffCenter: { type: Schema.Types.ObjectId, ref: 'Center', default: null },
    skills: { type: [String], default: [] },
    birthYear: { type: Number, min: 1900, max: 2100, default: null },
    // Sensitive: visible only to staff whose scope covers homeCenter (docs/ARCHITECTURE.md).
    lowIncome: { type: Boolean, default: false },
    disabled: { type: Boolean, default: false },
    // Set when staff reset the password at the desk: the temporary one works only to choose a new one.
    mustChangePassword: { type: Boolean, default: false },
    // Personal-information consents (server/privacy/): when the person agreed to the privacy
    // notice, and — separately — to their low-income status being recorded (null = not given).
    privacyConsentAt: { type: Date, default: null },
    lowIncomeConsentAt: { type: Date, default: null },
    // Set when the deletion job has erased this account (it stays only as a name in the ledger).
    erasedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

userSchema.index({ phone: 1 }, { unique: true });
userSchema.index({ homeCenter: 1 });

userSchema.pre('validate', function () {
  if (this.role === 'staff' && !this.staffCenter) this.invalidate('staffCenter', 'staff need a center');
});

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
export const User = mongoose.model('User', userSchema);
