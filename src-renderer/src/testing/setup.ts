// jsdom has no layout, so no ResizeObserver; Radix primitives (radio group, tooltip, menus) and
// the virtualised table observe sizes. A stub that never reports keeps them working in tests.
class NoLayoutResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoLayoutResizeObserver as unknown as typeof ResizeObserver;
