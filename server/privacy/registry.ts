import type { PersonalData } from './declare.ts';
import { gigsData } from '../gigs/personal-data.ts';
import { coursesData } from '../courses/personal-data.ts';
import { workshopsData } from '../workshops/personal-data.ts';
import { accountData, loginFailureData } from '../accounts/personal-data.ts';
import { privacyData } from './personal-data.ts';
import { alertsData } from '../alerts/personal-data.ts';
import { outboxData } from '../outbox/personal-data.ts';
import { arrearsData } from '../arrears/personal-data.ts';

/**
 * Every collection that holds personal data, each with its exporter and eraser. A new collection
 * adds its declaration to its capability's list (or one line here); tests/privacy/registry.test.ts
 * fails for any mongoose model that references users without one. The order is the order of
 * erasure: the account itself comes last, since the steps before it read the name and phone.
 */
export const PERSONAL_DATA: readonly PersonalData[] = [
  ...gigsData,
  ...alertsData,
  ...arrearsData,
  ...coursesData,
  ...workshopsData,
  ...privacyData,
  ...outboxData,
  loginFailureData,
  accountData,
];
