// jsdom does no layout: give the list viewport a height so virtualization has a window to
// fill, as it would in a real window.
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get() {
    return (this as HTMLElement).dataset.testid === "user-list" ? 400 : 0;
  },
});
