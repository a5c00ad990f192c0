import { Application } from '../../models/application.ts';
// Loaded for ownedBy(), which finds models by name.
import '../../models/employer.ts';
import { Posting, type PostingStatus } from '../../models/posting.ts';
import { ownedBy, type PersonalData } from '../privacy/declare.ts';
import { listingChanged } from './service/listings.ts';

// The odd-job market's personal data. A resident's applications stay for the employer's records
// with the name replaced (pending ones are withdrawn); an employer's profile and postings stay
// anonymised, and postings still open are closed.

const applications: PersonalData = {
  ...ownedBy('Application', {
    subject: 'resident',
    userPaths: ['resident', 'employer', 'onBehalfBy'],
    section: 'applications',
    fields: ['postingTitle', 'status', 'message', 'availability', 'createdAt', 'updatedAt'],
    erase: (ctx) => ({ residentName: ctx.alias, residentPhone: '', message: '', availability: '' }),
    kept: 'applications',
  }),
  async erase(ctx) {
    // A pending application is withdrawn (no employer should accept someone who has left);
    // accepted ones are history of work done and stay.
    for (const a of await Application.find({ resident: ctx.userId, status: 'pending' }, { activeKey: 1 }).lean()) {
      await Application.updateOne({ _id: a._id }, { $set: { status: 'withdrawn', activeKey: `${a.activeKey}:withdrawn:${String(a._id)}` } });
    }
    await Application.updateMany({ resident: ctx.userId }, { $set: { residentName: ctx.alias, residentPhone: '', message: '', availability: '' } });
  },
};

const employer = ownedBy('Employer', {
  subject: 'user',
  userPaths: ['user', 'decidedBy'],
  section: 'employer',
  fields: ['name', 'contactName', 'phone', 'address', 'creditCode', 'status', 'createdAt'],
  erase: (ctx) => ({ name: ctx.alias, contactName: ctx.alias, phone: '', address: '', licenseFile: '', licenseFileName: '', reason: '' }),
  kept: 'employer',
});

const OPEN: PostingStatus[] = ['draft', 'submitted', 'published', 'filled'];

const postings: PersonalData = {
  ...ownedBy('Posting', {
    subject: 'employer',
    section: 'postings',
    fields: ['title', 'code', 'status', 'payType', 'payFen', 'headcount', 'startDay', 'endDay', 'address', 'contact', 'description', 'createdAt'],
    erase: 'keep',
    kept: 'postings',
  }),
  async erase(ctx) {
    for (const p of await Posting.find({ employer: ctx.userId, status: { $in: OPEN } }, { status: 1, centerPath: 1 }).lean()) {
      await Posting.updateOne({ _id: p._id }, { $set: { status: 'closed', closedFrom: p.status } });
      if (p.status === 'published') await listingChanged(p.centerPath, String(p._id), 'removed');
    }
    await Posting.updateMany({ employer: ctx.userId }, { $set: { employerName: ctx.alias, contact: '' } });
  },
};

export const gigsData: readonly PersonalData[] = [applications, employer, postings];
