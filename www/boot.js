// Alembic Playground boot glue (a classic script, run before the wasm app).
//
// - Defines window.alembicPlayground with its `ready` promise at once, so a
//   page script or test may `await alembicPlayground.ready` at any time; the
//   Rust app (src/ui/api.rs) adds the functions and resolves `ready`.
// - Starts loading sql.js right away, in parallel with the app's wasm; the
//   app takes the promise from __alembicPlaygroundBoot.sqlJs
//   (src/platform/sqljs.rs).
(function () {
    "use strict";
    var boot = {};
    var ready = new Promise(function (resolve, reject) {
        boot.resolve = resolve;
        boot.reject = reject;
    });
    // A failed boot is shown in the page; a test awaiting `ready` sees the rejection.
    ready.catch(function () {});
    window.alembicPlayground = { ready: ready };
    boot.sqlJs = window.initSqlJs({
        locateFile: function (file) {
            return new URL(file, document.baseURI).href;
        },
    });
    boot.sqlJs.catch(function () {});
    window.__alembicPlaygroundBoot = boot;
})();
