// Globals of the sandbox page (src/sandbox/public), for its type check (tsconfig.browser.json).

/** markdown-it, loaded by vendor/markdown-it.min.js as a classic script before the page's modules. */
interface Window {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the vendored library ships no types
  markdownit: (options: { html: boolean; linkify: boolean }) => any;
}
