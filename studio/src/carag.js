// The page's side of the web worker: one promise per request to carag (carag_dsl.studio.session).
export class Carag {
  constructor() {
    this.worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    this.waiting = new Map();
    this.next = 1;
    this.worker.onmessage = (event) => {
      const { id, result, error, ms } = event.data;
      const promise = this.waiting.get(id);
      this.waiting.delete(id);
      if (error !== undefined) promise.reject(new Error(error));
      else promise.resolve(result, ms);
    };
  }

  call(method, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }
}
