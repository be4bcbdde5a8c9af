import { describe, expect, it } from "vitest";
import { renderNote } from "./markdown";

describe("renderNote", () => {
  it("renders bold, lists and links", () => {
    const html = renderNote("Called **Ann**\n\n- renewal\n- invoice\n\nSee [site](https://example.com)");
    expect(html).toContain("<strong>Ann</strong>");
    expect(html).toContain("<li>renewal</li>");
    expect(html).toContain('<a href="https://example.com">site</a>');
  });

  it("escapes HTML and script instead of running them", () => {
    const html = renderNote('<script>alert(1)</script> <img src=x onerror="alert(2)"> <b>hi</b>');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("refuses links that are not web, mail or phone", () => {
    for (const bad of ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "vbscript:x"]) {
      expect(renderNote(`[x](${bad})`)).not.toContain("<a");
    }
    expect(renderNote("![pic](https://example.com/a.png)")).not.toContain("<img");
    expect(renderNote("mail me: ann@example.com")).toContain('href="mailto:ann@example.com"');
  });
});
