import mongoose, { Schema } from 'mongoose';

// "Reminder sent" flags: _id is `<session>:<resident>`, so inserting it is the idempotent
// claim that this reminder goes out once, across restarts and app nodes.
const courseReminderSchema = new Schema({
  _id: { type: String, required: true },
  at: { type: Date, default: () => new Date() },
});

export const CourseReminder = mongoose.model('CourseReminder', courseReminderSchema);
