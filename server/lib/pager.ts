/** Previous/next links for list pages; every list uses this shape with partials/pager. */
export function pager(page: number, pages: number, href: (p: number) => string) {
  return {
    page,
    pages,
    prev: page > 1 ? href(page - 1) : null,
    next: page < pages ? href(page + 1) : null,
  };
}
