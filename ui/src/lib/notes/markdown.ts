// Notes are written in light Markdown and shown as HTML built by markdown-it with raw
// HTML switched off: every "<" a person types is escaped, so no HTML or script from a
// note can ever run (and the CSP forbids inline script besides). Links get no target:
// clicks on them are caught by NoteBody and opened by Rust, outside the webview.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
// Images would fetch from anywhere on display, and headings and tables are not what a
// call log needs: only emphasis, lists, links, quotes and code stay.
md.disable(["image", "heading", "lheading", "table", "hr"]);

const SAFE_LINK = /^(https?:|mailto:|tel:)/i;
// markdown-it already refuses javascript:, vbscript:, file: and data: links; Kith narrows
// that further to what open_link will open, so a link never looks clickable for nothing.
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

export function renderNote(body: string): string {
  return md.render(body);
}
