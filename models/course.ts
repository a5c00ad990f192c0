import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const COURSE_CATEGORIES = ['childcare', 'baking', 'electrician', 'ecommerce', 'eldercare', 'agriculture', 'handicraft', 'other'] as const;
export type CourseCategory = (typeof COURSE_CATEGORIES)[number];
export const COURSE_STATUSES = ['draft', 'published', 'completed', 'cancelled'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

// One class meeting. Embedded (a course has a handful); its _id names the session in
// attendance records, QR tokens and socket rooms.
const sessionSchema = new Schema({
  startsAt: { type: Date, required: true },
  endsAt: { type: Date, required: true },
  topic: { type: String, default: '', maxlength: 120 },
});

const materialSchema = new Schema(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
    type: { type: String, default: '' },
    size: { type: Number, default: 0 },
  },
  { _id: false },
);

// A free course run by a center. Tuition is always free. Confirmed seats live in the `seats`
// collection (unique {course, seatNo}); the course never stores a seat counter.
const courseSchema = new Schema(
  {
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    centerName: { type: String, default: '' },
    centerNameEn: { type: String, default: '' },
    title: { type: String, required: true, trim: true, maxlength: 80 },
    category: { type: String, enum: COURSE_CATEGORIES, required: true },
    description: { type: String, default: '', maxlength: 3000 },
    instructor: { type: String, default: '', maxlength: 60 },
    venue: { type: String, default: '', maxlength: 120 },
    capacity: { type: Number, required: true, min: 1, max: 500 },
    enrolOpens: { type: Date, default: null },
    enrolCloses: { type: Date, default: null },
    minAge: { type: Number, default: null },
    maxAge: { type: Number, default: null },
    requiredDocs: { type: String, default: '', maxlength: 300 },
    completionPercent: { type: Number, default: 80, min: 0, max: 100 },
    // How long a freed seat is held for the first waiting resident before it passes on.
    offerHours: { type: Number, default: 24, min: 1, max: 168 },
    sessions: { type: [sessionSchema], default: [] },
    // Copied from sessions so lists can sort/filter without unwinding.
    firstSessionAt: { type: Date, default: null },
    lastSessionAt: { type: Date, default: null },
    materials: { type: [materialSchema], default: [] },
    status: { type: String, enum: COURSE_STATUSES, default: 'draft' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    publishedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    // Demo data key, so the seed stays idempotent.
    seedKey: { type: String, default: null },
  },
  { timestamps: true },
);

courseSchema.index({ status: 1, center: 1 });
courseSchema.index({ center: 1, createdAt: -1 });

courseSchema.pre('validate', function () {
  if (this.minAge != null && this.maxAge != null && this.minAge > this.maxAge) this.invalidate('maxAge', 'maxAge < minAge');
  for (const s of this.sessions) if (s.endsAt <= s.startsAt) this.invalidate('sessions', 'session ends before it starts');
});

export type CourseDoc = InferSchemaType<typeof courseSchema> & { _id: Types.ObjectId };
export const Course = mongoose.model('Course', courseSchema);
