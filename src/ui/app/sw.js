// kabosu dashboard service worker: the app shell is cached so an installed PWA opens offline and
// shows "miner unreachable"; the API and the live stream always go to the network (never cached).
const CACHE = 'kabosu-shell-v2';
const SHELL = 'SHELL'; // the build puts the list of shell files here (tools/build/ui.mjs)
self.addEventListener('install', (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting())));
self.addEventListener('activate', (e) => e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim())));
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !SHELL.includes(url.pathname)) return;
  // network first (a new firmware brings a new UI), the cached shell when the miner is unreachable
  e.respondWith(fetch(e.request).then((r) => { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); return r; }).catch(() => caches.match(e.request)));
});
