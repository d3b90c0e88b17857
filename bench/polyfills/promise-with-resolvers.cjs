// PostGraphile 5 (grafast) calls Promise.withResolvers, which Node gains in 22. Loaded with
// `node --require` into the PostGraphile peer only, so the benchmark runs on the project's Node 20.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
