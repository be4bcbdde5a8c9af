// jsdom does no layout: give the list viewport a height so virtualization has a window to
// fill, as it would in a real window.
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get() {
    return (this as HTMLElement).dataset.testid === "user-list" ? 400 : 0;
  },
});

// jsdom does not scroll either: scrollTop reads 0 whatever is assigned. Keep what was set,
// clamped to the scroll range the way a browser clamps it, so keyboard scrolling is testable.
const scrollTops = new WeakMap<Element, number>();
Object.defineProperty(HTMLElement.prototype, "scrollTop", {
  configurable: true,
  get() {
    return scrollTops.get(this as HTMLElement) ?? 0;
  },
  set(value: number) {
    const el = this as HTMLElement;
    const content = (el.firstElementChild as HTMLElement | null)?.style.height;
    const max = content ? Math.max(0, parseFloat(content) - el.clientHeight) : Infinity;
    scrollTops.set(el, Math.min(max, Math.max(0, Math.round(value))));
  },
});
