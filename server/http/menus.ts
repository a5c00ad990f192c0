// Every page link that depends on the role lives here, so navigation stays in one place.
export interface MenuItem {
  href: string;
  key: string;
  icon?: string;
}

type Audience = 'anonymous' | 'resident' | 'employer' | 'staff' | 'admin';

const gigs = { href: '/gigs', key: 'nav.gigs', icon: '🧰' };
const courses = { href: '/courses', key: 'nav.courses', icon: '📚' };
const workshops = { href: '/workshops', key: 'nav.workshops', icon: '🏮' };
const centers = { href: '/centers', key: 'nav.centers', icon: '🏠' };

export const NAV: Record<Audience, MenuItem[]> = {
  anonymous: [gigs, courses, workshops, centers],
  resident: [{ href: '/me', key: 'nav.me' }, gigs, courses, workshops],
  employer: [{ href: '/me', key: 'nav.me' }, { href: '/employer/postings', key: 'nav.myPostings' }, gigs],
  staff: [{ href: '/staff', key: 'nav.staffHome' }, gigs, courses, workshops, centers],
  admin: [{ href: '/admin', key: 'nav.admin' }, { href: '/staff', key: 'nav.staffHome' }, centers, { href: '/admin/audit', key: 'nav.audit' }],
};

/** Big tiles on the home page and the role home pages. */
export const TILES = {
  home: [
    { href: '/gigs', key: 'home.tiles.gigs', icon: '🧰' },
    { href: '/courses', key: 'home.tiles.courses', icon: '📚' },
    { href: '/workshops', key: 'home.tiles.workshops', icon: '🏮' },
  ],
  resident: [
    { href: '/me/applications', key: 'home.me.applications', icon: '📝' },
    { href: '/me/courses', key: 'home.me.courses', icon: '📚' },
    { href: '/me/work', key: 'home.me.work', icon: '🏮' },
    { href: '/gigs', key: 'nav.gigs', icon: '🧰' },
  ],
  employer: [
    { href: '/employer/profile', key: 'home.me.company', icon: '🏢' },
    { href: '/employer/postings', key: 'nav.myPostings', icon: '📋' },
    { href: '/employer/postings/new', key: 'home.me.newPosting', icon: '➕' },
  ],
  staff: [
    { href: '/staff/moderation', key: 'home.staff.moderation', icon: '✅' },
    { href: '/staff/courses', key: 'home.staff.courses', icon: '📚' },
    { href: '/staff/workshops', key: 'home.staff.workshops', icon: '🏮' },
    { href: '/staff/reports', key: 'home.staff.reports', icon: '📊' },
    { href: '/staff/outbox', key: 'outbox.staff.tile', icon: '📨' },
    { href: '/staff/arrears', key: 'arrears.staff.tile', icon: '⚖️' },
  ],
  admin: [
    { href: '/admin/centers/new', key: 'admin.newCenter', icon: '🏠' },
    { href: '/admin/staff', key: 'admin.staff.title', icon: '👥' },
    { href: '/admin/accounts', key: 'admin.accounts.title', icon: '🔑' },
    { href: '/admin/audit', key: 'nav.audit', icon: '🗂' },
  ],
} satisfies Record<string, MenuItem[]>;
