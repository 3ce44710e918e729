// Preloaded into the Vigil server by the memory benchmark (node --expose-gc --import=…): a full
// garbage collection on SIGUSR2, so RSS can be read after a GC settle as for Prometheus (whose
// /debug/pprof/heap?gc=1 runs runtime.GC). Plain JS so it needs no loader; no other effect.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});
