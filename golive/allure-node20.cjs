// Allure 3.18's quality gate calls Iterator.prototype.toArray, which Node 20 lacks (it
// arrived in Node 22). golive preloads this file (NODE_OPTIONS=--require) when it runs
// the Allure CLI, so the supported Node 20 works; on newer Node it changes nothing.
const proto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
if (typeof proto.toArray !== "function") {
  Object.defineProperty(proto, "toArray", {
    value: function toArray() { return Array.from(this); },
    configurable: true,
    writable: true,
  });
}
