import { html } from 'htm/preact';

/**
 * htm's template tag (markup as text, values escaped by Preact, no JSX transform). Named `view`
 * rather than `html` so Prettier leaves the markup alone: it would reflow it by HTML's rules, and
 * htm drops the whitespace next to a line break that HTML keeps, gluing words together.
 */
export const view = html;
