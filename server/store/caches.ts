import { declareCache } from './cache.ts';

// Every read-through cache of the app. On FerretDB any query but a lone _id match reads the
// whole collection, so hot pages read their small, read-mostly working set from here. Each
// entry says its key, how long a value is fresh, how many keys it may hold, and what drops it:
// `dropOn` lists models whose writes on this node drop the whole cache; the others are dropped
// by the service that writes (named below). Other nodes catch up within the time to live and
// one reload (within twice the time to live where maxStaleMs bounds the stale value).

/** The center tree (key "all"): nearly every page. Dropped by centers/service.ts and the seed. */
export const centerTree = declareCache<{ ordered: readonly unknown[] }>({
  name: 'center-tree',
  ttlMs: 30_000,
  max: 1,
  // Users and everything else hang off centers, so a tree that suddenly has none is a bad read
  // (seen under heavy load: registration refused valid centers for a whole time to live).
  suspect: (next, last) => next.ordered.length === 0 && last.ordered.length > 0,
});

/** Gig categories in display order (key "all"). */
export const categories = declareCache({ name: 'categories', ttlMs: 30_000, max: 1, dropOn: ['Category'] });

/** Published, unexpired postings with list fields (key: today's date). */
export const openPostings = declareCache({ name: 'open-postings', ttlMs: 5_000, max: 4, dropOn: ['Posting', 'PostingListing'] });

/**
 * One listed posting's list fields (key: posting id), so that an open-postings reload reads only
 * the listing ids and not every open posting again (a town has a few hundred open at once).
 * Which postings are listed still follows open-postings' 5 s; another node's change to a listed
 * posting's fields shows within this time to live.
 */
export const listedPostings = declareCache({ name: 'listed-postings', ttlMs: 30_000, max: 5_000, dropOn: ['Posting'] });

/** The SVG QR code of an address (key: the address), for the lobby board's cards; it never changes. */
export const qrCodes = declareCache<string>({ name: 'qr-codes', ttlMs: 86_400_000, max: 2_000 });

/** Published courses with their seat counts (key "all"). */
export const publishedCourses = declareCache({ name: 'published-courses', ttlMs: 5_000, max: 1, dropOn: ['Course', 'CourseRoll'] });

/** Who a session belongs to (key: user id), read on every logged-in request. */
export const sessionUsers = declareCache({ name: 'session-users', ttlMs: 5_000, max: 10_000, dropOn: ['User'] });

/** The header bell's unread count (key: user id). Dropped per user by notifications/service.ts. */
export const unreadCounts = declareCache({ name: 'unread-counts', ttlMs: 5_000, max: 10_000 });

/** One workshop (key: workshop id). */
export const workshops = declareCache({ name: 'workshops', ttlMs: 5_000, max: 1_000, dropOn: ['Workshop'] });

/** All workshops by name (key "all"); lists filter it in memory. */
export const workshopList = declareCache({ name: 'workshop-list', ttlMs: 5_000, max: 1, dropOn: ['Workshop'] });

/** A workshop's tasks (key: workshop id). */
export const workshopTasks = declareCache({ name: 'workshop-tasks', ttlMs: 5_000, max: 1_000, dropOn: ['Task'] });

/** Station number -> member's name, for the workshop's staff at the wall board (key: workshop id; stations from its roster). */
export const workshopStations = declareCache({ name: 'workshop-stations', ttlMs: 5_000, max: 1_000, dropOn: ['Membership'] });

/** Staff job and course reports: one scan of their source collections a minute, shared by all staff. */
export const centerReports = declareCache({ name: 'center-reports', ttlMs: 60_000, max: 4 });

/** Today's live board of a workshop (key: workshop id). Dropped by publishBoard (workshops/board.ts) with boardOrders. */
export const boardStates = declareCache({ name: 'board-states', ttlMs: 2_000, max: 1_000 });

/** The open orders and their progress on a workshop's live board (key: workshop id). Dropped with boardStates. */
export const boardOrders = declareCache({ name: 'board-orders', ttlMs: 2_000, max: 1_000 });

/**
 * The staff report of a scope (key: "<center id or all>:<month>"). Dropped by the summaries
 * (workshops/summaries.ts: an entry applied, a rebuild) and by any user change (low-income status).
 */
export const scopeReports = declareCache({ name: 'scope-reports', ttlMs: 30_000, max: 1_000, dropOn: ['User'] });

/** A resident's workshop memberships (key: user id). */
export const residentMemberships = declareCache({ name: 'resident-memberships', ttlMs: 5_000, max: 10_000, dropOn: ['Membership'] });

/** A workshop's pay periods, newest first (key: workshop id). */
export const payPeriods = declareCache({ name: 'pay-periods', ttlMs: 5_000, max: 1_000, dropOn: ['PayPeriod'] });

/** A worker's own recent count reports (key: user id). */
export const workerReports = declareCache({ name: 'worker-reports', ttlMs: 5_000, max: 10_000, dropOn: ['WorkReport'] });

/**
 * A worker's month of piece-work (key: the worker-month summary's id), for the worker's own page:
 * workers refresh it while they wait for a count, and each read decodes a month of days. Dropped
 * per summary by workshops/summaries.ts as entries reach it, and whole by a rebuild.
 */
export const workerMonths = declareCache({ name: 'worker-months', ttlMs: 5_000, max: 2_000, maxStaleMs: 5_000 });

/** A worker's answers for recent days (key: "<user>:<workshop>:<days>"). */
export const dayAnswers = declareCache({ name: 'day-answers', ttlMs: 10_000, max: 10_000, dropOn: ['Dispute'] });
