/** Where each kind of user lands after logging in (and when a page has nothing better to offer). */
export function homeFor(user: Express.User): string {
  return { resident: '/me', employer: '/me', staff: '/staff', admin: '/admin' }[user.role];
}
