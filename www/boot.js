// Alembic Playground boot glue (a classic script, run before the wasm app).
//
// - Defines window.alembicPlayground with its `ready` promise at once, so a
//   page script or test may `await alembicPlayground.ready` at any time; the
//   Rust app (src/ui/api.rs) adds the functions and resolves `ready`.
// - Starts loading sql.js and the editor module (editor.js: CodeMirror 6,
//   bundled at build time by www/build.mjs) right away, in parallel with the
//   app's wasm; the app awaits __alembicPlaygroundBoot.sqlJs
//   (src/platform/sqljs.rs) and __alembicPlaygroundBoot.editor
//   (src/ui/bindings.rs), which stores the module as `editorModule`.
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
    boot.editor = import(new URL("editor.js", document.baseURI).href).then(function (module) {
        boot.editorModule = module;
        return module;
    });
    boot.editor.catch(function () {});
    window.__alembicPlaygroundBoot = boot;
})();
