import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'list'; search: string } | { page: 'alert'; id: string };

const ALERT_PATH = /^\/ui\/alerts\/([^/]+)\/?$/;

export function currentRoute(): Route {
  const match = ALERT_PATH.exec(location.pathname);
  return match
    ? { page: 'alert', id: decodeURIComponent(match[1]) }
    : { page: 'list', search: location.search };
}

/** Where "back to the list" goes: the list as it was last filtered. */
let listHref = '/ui';

export const lastListHref = (): string => listHref;

/** Records the list's filters in the address bar, so a link to the page shows the same list. */
export function replaceListSearch(search: string): void {
  listHref = search ? `/ui?${search}` : '/ui';
  if (location.pathname + location.search !== listHref) history.replaceState(null, '', listHref);
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** For <a href> elements: routes in the page, unless the user asked for a new tab or window. */
export function followLink(event: MouseEvent): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const href = (event.currentTarget as HTMLAnchorElement).getAttribute('href');
  if (!href) return;
  event.preventDefault();
  navigate(href);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}
